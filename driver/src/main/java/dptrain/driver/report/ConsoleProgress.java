package dptrain.driver.report;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.spark.sql.SparkSession;

/**
 * The progress bar on a terminal: one line, redrawn every second, with the epoch, the share of
 * the run done, the time spent and an ETA, the last epoch's loss and throughput; every finished
 * epoch leaves its full line above the bar.
 *
 * <p>The driver is not on the per-iteration path (an epoch is one Spark stage), so within an
 * epoch the bar advances by time, at the pace of the epochs so far (validation and checkpoint
 * included); before the first epoch ends there is nothing to pace by and it says so. The line
 * ends with a carriage return, so a log line printed meanwhile starts at the first column and
 * covers the bar instead of being appended to it.
 */
final class ConsoleProgress {

    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final LongSupplier clock;
    private final BooleanSupplier working;
    private ScheduledExecutorService ticker;

    private int epochs;
    private int firstEpoch;
    private int epochsDone;
    private long trainingStart;
    private long epochStart;
    private double lastLoss = Double.NaN;
    private double lastSamplesPerSecond = Double.NaN;
    private int drawnLength;

    /**
     * @param clock   nanoseconds, as {@link System#nanoTime()}
     * @param working whether the run is still going on: a run that failed (and called no more
     *                listeners) must not keep redrawing its bar over the error message
     */
    ConsoleProgress(PrintWriter out, LongSupplier clock, BooleanSupplier working) {
        this.out = out;
        this.clock = clock;
        this.working = working;
    }

    /**
     * The bar on this process's terminal, redrawn every second while Spark runs a job for this
     * application; empty when standard input or output is not a terminal (a pipe, a file, a
     * notebook, a scheduler's log).
     */
    static Optional<ConsoleProgress> onTerminal() {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return Optional.empty();
        }
        ConsoleProgress progress = new ConsoleProgress(console.writer(), System::nanoTime,
                ConsoleProgress::sparkJobRunning);
        progress.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "dptrain-progress-bar");
            thread.setDaemon(true);
            return thread;
        });
        return Optional.of(progress);
    }

    synchronized void start(int firstEpoch, int epochs) {
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
        this.epochsDone = 0;
        this.trainingStart = clock.getAsLong();
        this.epochStart = trainingStart;
        if (firstEpoch > epochs) {
            return;
        }
        draw();
        if (ticker != null) {
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Leaves {@code lines} (the epoch's full report, one line or more separated by {@code \n})
     * above the bar, then draws the bar again.
     */
    synchronized void epochEnd(String lines, double trainLoss, double samplesPerSecond) {
        epochsDone++;
        epochStart = clock.getAsLong();
        lastLoss = trainLoss;
        lastSamplesPerSecond = samplesPerSecond;
        int firstEnd = lines.indexOf('\n');
        // the first line is printed over the bar, so it is the one that must cover it
        out.print("\r" + (firstEnd < 0 ? padded(lines) : padded(lines.substring(0, firstEnd))
                + lines.substring(firstEnd)) + "\n");
        drawnLength = 0;
        if (firstEpoch + epochsDone <= epochs) {
            draw();
        } else {
            out.flush();
        }
    }

    /** Clears the bar and stops redrawing it. */
    synchronized void finish() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (drawnLength > 0) {
            out.print("\r" + " ".repeat(drawnLength) + "\r");
            drawnLength = 0;
        }
        out.flush();
    }

    synchronized void redraw() {
        if (working.getAsBoolean() && firstEpoch + epochsDone <= epochs) {
            draw();
        }
    }

    /** The bar as it reads at {@code now}. */
    synchronized String bar(long now) {
        int epoch = firstEpoch + epochsDone;
        int runEpochs = epochs - firstEpoch + 1;
        double sinceEpochStart = (now - epochStart) / 1e9;
        double secondsPerEpoch = epochsDone == 0 ? Double.NaN : (epochStart - trainingStart) / 1e9 / epochsDone;
        double done = epochsDone;
        if (!Double.isNaN(secondsPerEpoch) && secondsPerEpoch > 0) {
            done += Math.min(0.99, sinceEpochStart / secondsPerEpoch); // never a full epoch before it ends
        }
        double share = done / runEpochs;
        int filled = (int) Math.floor(share * BAR_WIDTH);
        StringBuilder bar = new StringBuilder(96)
                .append("epoch ").append(epoch).append('/').append(epochs).append(" [")
                .append("=".repeat(filled)).append(filled < BAR_WIDTH ? ">" : "")
                .append(" ".repeat(Math.max(0, BAR_WIDTH - filled - 1))).append("] ")
                .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(share * 100)))
                .append(' ').append(duration((now - trainingStart) / 1e9));
        if (Double.isNaN(secondsPerEpoch)) {
            bar.append(" ETA after epoch ").append(epoch);
        } else {
            double left = secondsPerEpoch * (epochs - epoch + 1) - sinceEpochStart;
            bar.append(" ETA ").append(duration(Math.max(0, left)));
        }
        if (!Double.isNaN(lastLoss)) {
            bar.append(String.format(Locale.ROOT, " loss %.4f", lastLoss));
        }
        if (!Double.isNaN(lastSamplesPerSecond)) {
            bar.append(String.format(Locale.ROOT, " %.0f samples/s", lastSamplesPerSecond));
        }
        return bar.toString();
    }

    private void draw() {
        String bar = bar(clock.getAsLong());
        out.print("\r" + padded(bar) + "\r");
        drawnLength = bar.length();
        out.flush();
    }

    /** Covers whatever longer text the previous bar left on the line. */
    private String padded(String text) {
        return text.length() >= drawnLength ? text : text + " ".repeat(drawnLength - text.length());
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String duration(double seconds) {
        long total = Math.round(seconds);
        long hours = total / 3600;
        long minutes = total / 60 % 60;
        long rest = total % 60;
        return hours > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, rest)
                : String.format(Locale.ROOT, "%d:%02d", minutes, rest);
    }

    /**
     * From Java 22 on {@code System.console()} exists even when output is redirected and
     * {@code Console.isTerminal()} tells the difference; on Java 17 a console is a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static boolean sparkJobRunning() {
        scala.Option<SparkSession> session = SparkSession.getDefaultSession();
        return session.isDefined() && session.get().sparkContext().statusTracker().getActiveJobIds().length > 0;
    }
}
