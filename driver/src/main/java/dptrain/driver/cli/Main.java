package dptrain.driver.cli;

import dptrain.driver.BadInputException;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecLoader;
import dptrain.driver.data.DeltaSettings;
import dptrain.driver.job.RetrainJob;
import dptrain.driver.job.RetrainOutcome;
import dptrain.driver.job.TrainJob;
import dptrain.driver.engine.TrainingDivergedException;
import dptrain.driver.engine.TrainingFailedException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The command line: {@code dptrain train|retrain <spec.yaml> [key=value ...] [--verbose]},
 * {@code dptrain predict ...} ({@link PredictCommand}) and {@code dptrain models ...} ({@link ModelsCommand}).
 *
 * <p>Exit codes: 0 done; 2 bad input (spec, data, output location, checkpoint), printed as one
 * line; 3 training diverged (non-finite loss or gradient; the line names epoch and iteration);
 * 1 training failed otherwise. Stack traces only with {@code --verbose}. Under spark-submit the
 * master comes from Spark; run directly, it is {@code local[workers]}.
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int DIVERGED = 3;

    private static final String USAGE = String.join("\n",
            "usage: dptrain train <spec.yaml> [key=value ...] [--verbose]",
            "",
            "  Trains the network the job spec describes on Spark (local[workers] unless spark-submit",
            "  or spark.master says otherwise). Overrides use dotted keys, e.g. training.epochs=3",
            "  output.dir=/tmp/run1. Running the same command again resumes from the newest checkpoint.",
            "",
            "  --verbose   show stack traces and Spark's task failure logs",
            "",
            "       dptrain retrain <spec.yaml> [key=value ...] [--verbose]",
            "",
            "  Trains a candidate from the registry's current model (registry.dir) on the spec's data, compares",
            "  both on the same holdout and makes the candidate current only if it is better by more than",
            "  retrain.min_improvement. Prints the new version and the decision.",
            "",
            "       dptrain predict --model <model.zip> --input <data> --output <dir>   (see predict --help)",
            "       dptrain models list|promote <version>|rollback --registry <dir>     (see models --help)");

    private Main() {
    }

    public static void main(String[] args) {
        int status = FAILED;
        try {
            status = run(args, System.out, System.err);
        } finally {
            // Spark's barrier timer thread is not a daemon and would keep the JVM alive.
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("predict")) {
            return PredictCommand.run(List.of(args).subList(1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("models")) {
            return ModelsCommand.run(List.of(args).subList(1, args.length), out, err);
        }
        List<String> positional = new ArrayList<>();
        boolean verbose = false;
        for (String arg : args) {
            if (arg.equals("--verbose") || arg.equals("-v")) {
                verbose = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return OK;
            } else {
                positional.add(arg);
            }
        }
        boolean retrain = !positional.isEmpty() && positional.get(0).equals("retrain");
        if (positional.size() < 2 || !(positional.get(0).equals("train") || retrain)) {
            err.println(positional.isEmpty() ? USAGE
                    : "dptrain: error: expected '" + (retrain ? "retrain" : "train")
                    + " <spec.yaml> [key=value ...]', got '" + String.join(" ", args) + "'");
            return BAD_INPUT;
        }
        quietSparkTaskFailures(verbose);
        try {
            JobSpec spec = SpecLoader.load(Path.of(positional.get(1)), positional.subList(2, positional.size()));
            boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
            SparkSession spark = session(spec);
            try {
                if (retrain) {
                    RetrainOutcome outcome = RetrainJob.run(spark, spec);
                    out.println("dptrain: " + outcome.version() + (outcome.promoted() ? " promoted" : " rejected")
                            + ": " + outcome.reason());
                } else {
                    TrainJob.run(spark, spec);
                }
            } finally {
                if (ownSession) {
                    spark.stop();
                }
            }
            return OK;
        } catch (BadInputException e) {
            report(err, "error: " + e.getMessage(), e, verbose);
            return BAD_INPUT;
        } catch (TrainingDivergedException e) {
            report(err, e.getMessage(), e, verbose);
            return DIVERGED;
        } catch (TrainingFailedException e) {
            report(err, "training failed: " + e.getMessage(), e, verbose);
            return FAILED;
        } catch (UncheckedIOException e) { // storage: a checkpoint or output that cannot be written
            report(err, "failed: " + e.getMessage(), e, verbose);
            return FAILED;
        } catch (Exception e) { // includes SparkException, which Scala throws undeclared
            report(err, "failed: " + e, e, verbose);
            return FAILED;
        }
    }

    private static SparkSession session(JobSpec spec) {
        SparkConf conf = new SparkConf().setAppName("dptrain");
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[" + spec.training().workers() + "]")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
        }
        // A barrier task that waits for a peer must give up when the collective does.
        conf.setIfMissing("spark.barrier.sync.timeout", String.valueOf(spec.training().collectiveTimeoutSeconds()));
        return SparkSession.builder().config(DeltaSettings.addTo(conf)).getOrCreate();
    }

    /**
     * Spark logs every failed task with its stack trace at ERROR; the trainer reports the same
     * failure as one line, so those logs are shown with --verbose only.
     */
    static void quietSparkTaskFailures(boolean verbose) {
        Level level = verbose ? Level.WARN : Level.OFF;
        Configurator.setLevel("org.apache.spark.executor.Executor", level);
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", level);
        // It restates a data error thrown while caching a partition ("Putting block ... failed").
        Configurator.setLevel("org.apache.spark.storage.BlockManager", verbose ? Level.WARN : Level.ERROR);
        Configurator.setLevel("org.apache.spark.scheduler.DAGScheduler", verbose ? Level.INFO : Level.WARN);
    }

    static void report(PrintStream err, String line, Throwable error, boolean verbose) {
        err.println("dptrain: " + line.lines().findFirst().orElse(line));
        if (verbose) {
            error.printStackTrace(err);
        } else if (!(error instanceof BadInputException) && !(error instanceof TrainingDivergedException)) {
            err.println("dptrain: run with --verbose for the stack trace");
        }
    }
}
