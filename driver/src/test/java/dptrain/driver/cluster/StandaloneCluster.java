package dptrain.driver.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1: one {@code Master} and {@code n} {@code Worker}
 * JVMs (1 core, 1 GiB each), started from the project's own jars, and jobs submitted to it through
 * {@code deploy/submit.sh} (Spark's {@code SparkSubmit} with {@code driver/target/dptrain.jar}).
 *
 * <p>The Spark "installation" the workers see is a directory {@code spark-home/jars} of links to the
 * jars of {@code driver/target/classpath.txt} except DL4J's, ND4J's and JavaCPP's (Spark, Hadoop,
 * Scala, logging and their dependencies: what a Spark distribution provides), so the executors get
 * dptrain, DL4J and ND4J only from the submitted jar, as on a real cluster.
 *
 * <p>Everything lives under {@code driver/target/cluster-it/<name>/}: every process's log, the
 * workers' work directories (executor logs in {@code worker-i/work/app-*}/<id>/stderr), the jobs'
 * outputs. {@link #close()} kills every process it started with its whole process tree, and a JVM
 * shutdown hook does the same if the test JVM ends first.
 */
final class StandaloneCluster implements AutoCloseable {

    static final Path REPOSITORY = repositoryRoot();
    /** The build under test (Maven passes its jar and class path: target/ for Spark 3.5, target/spark4/ for Spark 4). */
    static final Path JAR = Path.of(System.getProperty("dptrain.jar", REPOSITORY.resolve("driver/target/dptrain.jar").toString()));
    private static final Path CLASSPATH = Path.of(System.getProperty("dptrain.classpath",
            REPOSITORY.resolve("driver/target/classpath.txt").toString()));
    /** Maven groups (as repository paths) a Spark distribution does not have: the executors must get them from dptrain.jar. */
    private static final List<String> APPLICATION_GROUPS = List.of("/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/");
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private final Path dir;
    private final Path sparkHome;
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> workers = new ArrayList<>();
    private final List<Path> workDirs = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-cleanup");
    private String masterUrl;

    private StandaloneCluster(Path dir) {
        this.dir = dir;
        this.sparkHome = dir.resolve("spark-home");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a master and {@code workerCount} workers and waits until all workers have registered. */
    static StandaloneCluster start(String name, int workerCount) throws IOException {
        for (Path required : List.of(JAR, CLASSPATH)) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalStateException(required + " is missing: it is built in the package phase,"
                        + " run these tests with ./mvnw verify (failsafe runs after package)");
            }
        }
        Path dir = JAR.getParent().resolve("cluster-it").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir);
        StandaloneCluster cluster = new StandaloneCluster(dir);
        try {
            cluster.startProcesses(workerCount);
            return cluster;
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startProcesses(int workerCount) throws IOException {
        makeSparkHome();
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        Path masterLog = dir.resolve("master.log");
        daemon(masterLog, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0");
        for (int i = 1; i <= workerCount; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i + "/work"));
            workDirs.add(work);
            workers.add(daemon(dir.resolve("worker-" + i + ".log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", "1g",
                    "--work-dir", work.toString(), masterUrl));
        }
        Poll.until(START_LIMIT, workerCount + " workers registered with the master at " + masterUrl,
                () -> {
                    checkDaemonsAlive();
                    return count(masterLog, "Registering worker 127.0.0.1:") >= workerCount;
                },
                () -> tail(masterLog));
    }

    String masterUrl() {
        return masterUrl;
    }

    /** The directory of this cluster's logs and of the jobs' outputs. */
    Path dir() {
        return dir;
    }

    /**
     * Runs {@code deploy/submit.sh --master <this cluster> [sparkConf] -- spec [overrides]}; stdout and
     * stderr go to {@code <name>.log}. The process is the driver JVM itself (submit.sh execs it).
     */
    Submission submit(String name, Path spec, List<String> sparkConf, List<String> overrides) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", REPOSITORY.resolve("deploy/submit.sh").toString(),
                "--master", masterUrl,
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.executor.memory=1g",
                // executors of a loaded machine may take long to register; the slot check waits for them
                "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                // a barrier job submitted before a replacement executor registered re-checks its slots this often
                "--conf", "spark.scheduler.barrier.maxConcurrentTasksCheck.interval=1s"));
        for (String setting : sparkConf) {
            command.add("--conf");
            command.add(setting);
        }
        command.add("--");
        command.add(spec.toString());
        command.addAll(overrides);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.remove("SPARK_HOME"); // submit.sh then runs SparkSubmit from the project's classpath
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("DPTRAIN_DRIVER_MEMORY", "1g");
        env.put("DPTRAIN_SPARK", System.getProperty("dptrain.spark", "3")); // submit.sh's jar: this build's
        Process process = builder.start();
        processes.add(process);
        return new Submission(process, log);
    }

    /** The executor JVMs running now, each a child of one of the worker JVMs. */
    List<ProcessHandle> executors() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process worker : workers) {
            worker.descendants()
                    .filter(handle -> handle.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .forEach(executors::add);
        }
        return executors;
    }

    /** The stderr files of every executor any worker has launched (work/app-…/<executor id>/stderr). */
    List<Path> executorLogs() {
        // Only the workers' work directories, three levels deep: Spark's local directories beside them
        // (block managers, shuffle files) are created and deleted while a job runs.
        List<Path> logs = new ArrayList<>();
        for (Path work : workDirs) {
            try (Stream<Path> files = Files.walk(work, 3)) {
                files.filter(file -> file.getFileName().toString().equals("stderr")
                        && file.getParent().getParent().getFileName().toString().startsWith("app-"))
                        .forEach(logs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return logs;
    }

    /** The live executor whose log is {@code log} (work/<app id>/<executor id>/stderr), or null. */
    ProcessHandle executorWritingTo(Path log) {
        String executorId = log.getParent().getFileName().toString();
        String appId = log.getParent().getParent().getFileName().toString();
        return executors().stream()
                .filter(handle -> executorId.equals(argumentAfter(handle, "--executor-id"))
                        && appId.equals(argumentAfter(handle, "--app-id")))
                .findFirst().orElse(null);
    }

    private static String argumentAfter(ProcessHandle process, String option) {
        String[] arguments = process.info().arguments().orElse(new String[0]);
        for (int i = 0; i < arguments.length - 1; i++) {
            if (arguments[i].equals(option)) {
                return arguments[i + 1];
            }
        }
        return "?";
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it does the same
        }
    }

    /** Kills drivers first, then workers (with their executors), then the master; waits for each. */
    private void killAll() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        Collections.reverse(all);
        for (Process process : all) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.add(process.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle handle : tree) {
                try {
                    handle.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("process " + handle.pid() + " did not exit after SIGKILL: " + e);
                }
            }
        }
    }

    private Process daemon(Path log, String mainClass, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java17Options());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(sparkHome.resolve("jars") + "/*");
        command.add(mainClass);
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
        env.put("SPARK_SCALA_VERSION", "2.12"); // what a distribution's load-spark-env.sh sets
        env.put("SPARK_LOCAL_DIRS", Files.createDirectories(dir.resolve("spark-local")).toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.remove("SPARK_TESTING");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void checkDaemonsAlive() {
        synchronized (processes) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new AssertionError("a cluster process exited with status " + process.exitValue()
                            + ": " + process.info().commandLine().orElse("?") + "\nlogs in " + dir);
                }
            }
        }
    }

    /** The test JVM's own --add-opens list (failsafe's argLine: the root pom's java17.opens). */
    static List<String> java17Options() {
        List<String> options = new ArrayList<>();
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("--add-opens") || option.startsWith("-Djdk.reflect")) {
                options.add(option);
            }
        }
        if (options.isEmpty()) {
            throw new IllegalStateException("the test JVM has no --add-opens options; run through Maven"
                    + " (the root pom's java17.opens is failsafe's argLine)");
        }
        return options;
    }

    /** spark-home/jars: the classpath's jars but DL4J's, ND4J's and JavaCPP's, which only dptrain.jar may bring. */
    private void makeSparkHome() throws IOException {
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(sparkHome.resolve("conf"));
        int linked = 0;
        for (String entry : Files.readString(CLASSPATH).trim().split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || APPLICATION_GROUPS.stream().anyMatch(entry::contains)) {
                continue;
            }
            Files.createSymbolicLink(jars.resolve(String.format("%03d-%s", linked++, jar.getFileName())), jar);
        }
        if (linked == 0) {
            throw new IllegalStateException("no Spark jars found in " + CLASSPATH);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int count(Path file, String text) {
        String content = read(file);
        int count = 0;
        for (int at = content.indexOf(text); at >= 0; at = content.indexOf(text, at + 1)) {
            count++;
        }
        return count;
    }

    /** The last lines of a log, for failure messages. */
    static String tail(Path file) {
        List<String> lines = read(file).lines().toList();
        return "--- last lines of " + file + " ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static Path repositoryRoot() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("deploy/submit.sh"))) {
                return at;
            }
        }
        throw new IllegalStateException("deploy/submit.sh not found above " + Path.of("").toAbsolutePath());
    }
}
