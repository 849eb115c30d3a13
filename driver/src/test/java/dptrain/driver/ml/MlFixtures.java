package dptrain.driver.ml;

import dptrain.driver.SparkTestSession;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Data for the Spark ML tests (and the dl4j drop-in's, which compare with them): Fisher's Iris
 * (150 rows, 4 measurements, 3 species as text).
 */
public final class MlFixtures {

    public static final String[] MEASUREMENTS = {"sepal_length", "sepal_width", "petal_length", "petal_width"};

    private MlFixtures() {
    }

    public static Path irisCsv() {
        try {
            return Path.of(MlFixtures.class.getResource("/iris.csv").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Iris rows, numbered by an {@code id} column (0..149) in file order, on one partition. */
    public static Dataset<Row> iris() {
        return SparkTestSession.get().read().option("header", true).option("inferSchema", true)
                .csv(irisCsv().toString()).coalesce(1)
                .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
    }

    /** One double column, row by row, in the frame's order. */
    public static double[] doubles(Dataset<Row> frame, String column) {
        List<Row> rows = frame.select(column).collectAsList();
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rows.get(i).getDouble(0);
        }
        return values;
    }

    /** One vector column flattened row by row, in the frame's order. */
    public static double[] vectors(Dataset<Row> frame, String column) {
        List<Row> rows = frame.select(column).collectAsList();
        int width = ((Vector) rows.get(0).get(0)).size();
        double[] values = new double[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(((Vector) rows.get(i).get(0)).toArray(), 0, values, i * width, width);
        }
        return values;
    }

    /**
     * The job spec that every front end's clipping and parameter averaging is compared with: Iris,
     * 8 tanh units, Adam 0.02 with {@code clip_norm} 0.05, parameter averaging every 3 steps, 2
     * workers, batch 16, 3 epochs, seed 5.
     */
    public static String clippedParameterAveragingJob(Path output) {
        return """
                data: {format: csv, train: %s, label: species, validation_fraction: 0}
                model:
                  layers:
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 16
                  epochs: 3
                  seed: 5
                  averaging: parameters
                  averaging_frequency: 3
                  optimizer: {type: adam, learning_rate: 0.02, clip_norm: 0.05}
                output: {dir: %s}
                """.formatted(irisCsv(), output);
    }

    /** The Iris rows with {@code label} (species indexed alphabetically, as the job does) and {@code features}. */
    public static Dataset<Row> indexedIris() {
        Dataset<Row> iris = iris();
        return new VectorAssembler().setInputCols(MEASUREMENTS).setOutputCol("features")
                .transform(new StringIndexer().setInputCol("species").setOutputCol("label")
                        .setStringOrderType("alphabetAsc").fit(iris).transform(iris));
    }
}
