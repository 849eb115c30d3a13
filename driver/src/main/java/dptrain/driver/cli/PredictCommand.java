package dptrain.driver.cli;

import dptrain.driver.BadInputException;
import dptrain.driver.data.DeltaSettings;
import dptrain.driver.ml.BatchPrediction;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * {@code dptrain predict --model <model.zip> --input <data> --output <parquet> [--id-column <col>]
 * [--overwrite] [--verbose]}: batch scoring with a trained model, no spec needed. Exit codes as for
 * {@code train}: 0 done, 2 bad input (one line), 1 failed.
 */
final class PredictCommand {

    static final String USAGE = String.join("\n",
            "usage: dptrain predict --model <model.zip> --input <data> --output <dir> [--id-column <column>]",
            "                       [--overwrite] [--verbose]",
            "",
            "  Scores <data> (raw, in the format the model was trained on: csv, parquet, libsvm or idx) with",
            "  a model.zip written by 'dptrain train' or a saved Spark ML model, and writes Parquet: the",
            "  input's columns (or only --id-column) plus 'prediction' (the label as in the training data)",
            "  and, for classifiers, 'probability' (one per class, in the model's label_names order).",
            "",
            "  --overwrite   replace <dir> if it exists",
            "  --verbose     show stack traces and Spark's task failure logs");

    private static final List<String> VALUED = List.of("--model", "--input", "--output", "--id-column");

    private PredictCommand() {
    }

    /** @param args the arguments after {@code predict} */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Map<String, String> values = new HashMap<>();
        boolean overwrite = false;
        boolean verbose = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return Main.OK;
            } else if (arg.equals("--verbose") || arg.equals("-v")) {
                verbose = true;
            } else if (arg.equals("--overwrite")) {
                overwrite = true;
            } else if (VALUED.contains(arg) && i + 1 < args.size()) {
                values.put(arg, args.get(++i));
            } else {
                err.println("dptrain: error: predict: unexpected argument '" + arg + "'"
                        + (VALUED.contains(arg) ? " without a value" : "") + "; see dptrain predict --help");
                return Main.BAD_INPUT;
            }
        }
        for (String required : List.of("--model", "--input", "--output")) {
            if (!values.containsKey(required)) {
                err.println("dptrain: error: predict: " + required + " is required; see dptrain predict --help");
                return Main.BAD_INPUT;
            }
        }
        Main.quietSparkTaskFailures(verbose);
        try {
            boolean ownSession = SparkSession.getActiveSession().isEmpty()
                    && SparkSession.getDefaultSession().isEmpty();
            SparkConf conf = new SparkConf().setAppName("dptrain predict");
            if (!conf.contains("spark.master")) {
                conf.setMaster("local[*]").set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1");
            }
            SparkSession spark = SparkSession.builder().config(DeltaSettings.addTo(conf)).getOrCreate();
            try {
                long rows = BatchPrediction.run(spark, values.get("--model"), values.get("--input"),
                        values.get("--output"), values.get("--id-column"), overwrite);
                out.println("dptrain: predicted " + rows + " rows -> " + values.get("--output"));
            } finally {
                if (ownSession) {
                    spark.stop();
                }
            }
            return Main.OK;
        } catch (BadInputException e) {
            Main.report(err, "error: " + e.getMessage(), e, verbose);
            return Main.BAD_INPUT;
        } catch (Exception e) { // includes SparkException, which Scala throws undeclared
            Main.report(err, "failed: " + e, e, verbose);
            return Main.FAILED;
        }
    }
}
