package dptrain.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one system's JVM to completion and watches it from outside: the peak resident memory of
 * the process and everything it starts (sum of each process's {@code VmHWM} from
 * {@code /proc/<pid>/status}; local-mode Spark puts driver and executors in one JVM), its CPU
 * time, and how busy the rest of the machine was meanwhile (the machine is shared, so a run
 * disturbed by other work says so instead of silently reporting a slow number).
 */
final class ChildProcess {

    private static final long SAMPLE_MILLIS = 200;
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    /**
     * @param exitCode         the process's exit status
     * @param wallSeconds      from start to exit
     * @param peakRssBytes     sum over the process tree of each process's peak resident set
     * @param cpuSeconds       user + system CPU time of the process tree (last sample before exit)
     * @param otherCpuCores    average cores kept busy by other processes during the run
     */
    record Outcome(int exitCode, double wallSeconds, long peakRssBytes, double cpuSeconds, double otherCpuCores) {
    }

    private ChildProcess() {
    }

    static Outcome run(List<String> command, Map<String, String> environment, Path workingDir, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Files.writeString(log, "$ " + environment + " " + String.join(" ", command)
                .replace(classPath(), "<bench class path>") + "\n");
        long machineBusyBefore = machineBusyTicks();
        long begin = System.nanoTime();
        Process process = builder.start();
        Map<Long, Long> peakByPid = new HashMap<>();
        Map<Long, Long> cpuTicksByPid = new HashMap<>();
        while (!process.waitFor(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
            sample(process.toHandle(), peakByPid, cpuTicksByPid);
        }
        double wall = (System.nanoTime() - begin) / 1e9;
        long machineBusy = machineBusyTicks() - machineBusyBefore;
        long ownTicks = cpuTicksByPid.values().stream().mapToLong(Long::longValue).sum();
        long peak = peakByPid.values().stream().mapToLong(Long::longValue).sum();
        double other = Math.max(0, (machineBusy - ownTicks) / TICKS_PER_SECOND / wall);
        return new Outcome(process.exitValue(), wall, peak, ownTicks / TICKS_PER_SECOND, other);
    }

    /** Average cores busy over {@code seconds} (all processes): used to wait for a quiet machine. */
    static double busyCores(double seconds) throws InterruptedException {
        long before = machineBusyTicks();
        Thread.sleep((long) (seconds * 1000));
        return (machineBusyTicks() - before) / TICKS_PER_SECOND / seconds;
    }

    private static void sample(ProcessHandle root, Map<Long, Long> peakByPid, Map<Long, Long> cpuTicksByPid) {
        record(root.pid(), peakByPid, cpuTicksByPid);
        root.descendants().forEach(child -> record(child.pid(), peakByPid, cpuTicksByPid));
    }

    private static void record(long pid, Map<Long, Long> peakByPid, Map<Long, Long> cpuTicksByPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    long bytes = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    peakByPid.merge(pid, bytes, Math::max);
                }
            }
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            cpuTicksByPid.merge(pid, ticks, Math::max);
        } catch (IOException | RuntimeException e) {
            // the process ended between listing and reading: its last sample stands
        }
    }

    /** Busy (non-idle, non-iowait) ticks of all CPUs since boot, from {@code /proc/stat}. */
    static long machineBusyTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy;
        } catch (IOException e) {
            return 0;
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String classPath() {
        return System.getProperty("java.class.path").replace(File.pathSeparatorChar, ':');
    }
}
