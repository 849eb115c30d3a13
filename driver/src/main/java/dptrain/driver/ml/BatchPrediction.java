package dptrain.driver.ml;

import dptrain.driver.BadInputException;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.Task;
import dptrain.driver.data.FeatureScaling;
import dptrain.driver.data.ScoringInput;
import dptrain.driver.report.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dptrain predict}: scores a file with a {@code model.zip} on Spark and writes Parquet. The
 * model carries everything this needs ({@code dptrain.json}: data format, feature columns,
 * normalisation statistics, label names), so the input is raw data in the training format and no
 * spec is given. Each output row is the input row (or only its id column) plus
 * <ul>
 *   <li>{@code prediction}: for a classifier the predicted label as the training data wrote it
 *       (text for text labels, an integer for integer labels); for a regressor the value (double);</li>
 *   <li>{@code probability} (classifier only): the class probabilities, an array of doubles in the
 *       order of the model's {@code label_names}.</li>
 * </ul>
 * Scoring runs in the executors: the network is broadcast once, rebuilt once per partition, and
 * applied to chunks of rows after exactly the normalisation training used.
 */
public final class BatchPrediction {

    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";

    private static final Logger LOG = LoggerFactory.getLogger(BatchPrediction.class);

    private BatchPrediction() {
    }

    /**
     * @param idColumn  the input column to keep beside the predictions, or {@code null} to keep them all
     * @param overwrite whether an existing {@code output} may be replaced
     * @return the number of rows scored
     * @throws BadInputException (one line) for a missing or foreign model, unusable input or output
     */
    public static long run(SparkSession spark, String modelPath, String input, String output, String idColumn,
                           boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ModelArchive archive = ModelArchive.read(modelPath, hadoop);
        checkOutput(output, overwrite, hadoop);
        TrainedNetwork network = archive.network();
        ModelCard card = archive.card();
        // a model written before data_format was recorded says it in its spec
        DataFormat format = card.dataFormat() != null ? card.dataFormat()
                : format(card.specData("format").asText("parquet"), modelPath);
        Dataset<Row> frame = ScoringInput.read(spark, format, input, card.specData("header").asBoolean(true),
                card.featureColumns(), card.featuresCol() == null ? "features" : card.featuresCol(),
                network.featureCount());

        List<String> kept = new ArrayList<>(Arrays.asList(frame.columns()));
        kept.remove(ScoringInput.FEATURES);
        if (idColumn != null) {
            if (!kept.contains(idColumn)) {
                throw new BadInputException("--id-column: column '" + idColumn + "' not found in " + input
                        + "; columns: " + String.join(", ", kept));
            }
            kept = List.of(idColumn);
        }
        boolean classifier = network.task() == Task.CLASSIFICATION;
        for (String name : classifier ? List.of(PREDICTION, PROBABILITY) : List.of(PREDICTION)) {
            if (kept.contains(name)) {
                throw new BadInputException("--input: " + input + " already has a column '" + name
                        + "'; keep only an id column with --id-column");
            }
        }
        List<Column> selected = new ArrayList<>();
        kept.forEach(name -> selected.add(functions.col(name)));
        selected.add(functions.col(ScoringInput.FEATURES));
        Dataset<Row> rows = frame.select(selected.toArray(new Column[0]));

        ScoredColumns columns = new ScoredColumns(network.numClasses(), true, classifier, false);
        StructType schema = rows.schema().add(PREDICTION, DataTypes.DoubleType, false, Metadata.empty());
        if (classifier) {
            schema = schema.add(PROBABILITY, SQLDataTypes.VectorType(), false, Metadata.empty());
        }
        float[][] scaling = scaling(card.scaling(), network.featureCount(), modelPath);
        PartitionScorer scorer = new PartitionScorer(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(network.scoring()),
                rows.schema().fieldIndex(ScoringInput.FEATURES), ScoringInput.FEATURES, columns, scaling[0],
                scaling[1]);
        Dataset<Row> scored = rows.mapPartitions(scorer, Encoders.row(schema)).drop(ScoringInput.FEATURES);
        if (classifier) {
            scored = scored.withColumn(PREDICTION, label(functions.col(PREDICTION), network.labelNames()))
                    .withColumn(PROBABILITY, org.apache.spark.ml.functions.vector_to_array(
                            functions.col(PROBABILITY), "float64"));
        }
        write(scored, output, hadoop);
        long count = spark.read().parquet(output).count();
        LOG.info("predict: {} rows of {} scored with {} -> {}", count, input, modelPath, output);
        return count;
    }

    /** The class index column as the label the training data used: integers stay integers. */
    private static Column label(Column index, List<String> names) {
        boolean integers = names.stream().allMatch(BatchPrediction::isInteger);
        Column[] values = names.stream()
                .map(name -> functions.lit(integers ? (Object) Integer.parseInt(name) : name))
                .toArray(Column[]::new);
        return functions.element_at(functions.array(values), index.cast(DataTypes.IntegerType).plus(1));
    }

    private static boolean isInteger(String name) {
        try {
            return Integer.toString(Integer.parseInt(name)).equals(name);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static DataFormat format(String name, String modelPath) {
        try {
            return DataFormat.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--model: " + modelPath + " names an unknown data format '" + name + "'");
        }
    }

    /** {offset, divisor} from the model, or {null, null} when training did not normalise. */
    private static float[][] scaling(FeatureScaling scaling, int featureCount, String modelPath) {
        float[] o = scaling.offset();
        float[] d = scaling.divisor();
        if (o.length != featureCount || d.length != featureCount) {
            throw new BadInputException("--model: " + modelPath + " has normalisation statistics for "
                    + o.length + " features, the network takes " + featureCount);
        }
        boolean identity = true;
        for (int j = 0; j < featureCount; j++) {
            identity &= o[j] == 0f && d[j] == 1f;
        }
        return identity ? new float[2][] : new float[][] {o, d};
    }

    /**
     * Writes into a hidden sibling directory and renames it to {@code output} only when every row
     * scored, so a failure (a bad cell is found while writing) leaves no partial output and an
     * existing output is replaced only by a complete one.
     */
    private static void write(Dataset<Row> scored, String output, Configuration hadoop) {
        Path target = new Path(output);
        Path staging = new Path(target.getParent(), "." + target.getName() + ".writing-" + UUID.randomUUID());
        try {
            FileSystem fs = staging.getFileSystem(hadoop);
            try {
                scored.write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
                if (fs.exists(target) && !fs.delete(target, true)) {
                    throw new IOException("cannot delete the old " + target);
                }
                if (!fs.rename(staging, target)) {
                    throw new IOException("cannot rename " + staging + " to " + target);
                }
            } catch (Exception e) {
                fs.delete(staging, true);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--output: cannot write " + output + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw ScoringInput.failure(e);
        }
    }

    private static void checkOutput(String output, boolean overwrite, Configuration hadoop) {
        try {
            Path path = new Path(output);
            if (!overwrite && path.getFileSystem(hadoop).exists(path)) {
                throw new BadInputException("--output: " + output + " already exists; choose another path or"
                        + " pass --overwrite");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("--output: cannot use " + output + ": " + e.getMessage(), e);
        }
    }
}
