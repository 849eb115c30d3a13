package dptrain.driver.ml;

import dptrain.driver.SparkTestSession;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Data for the Spark ML tests: Fisher's Iris (150 rows, 4 measurements, 3 species as text). */
final class MlFixtures {

    static final String[] MEASUREMENTS = {"sepal_length", "sepal_width", "petal_length", "petal_width"};

    private MlFixtures() {
    }

    static Path irisCsv() {
        try {
            return Path.of(MlFixtures.class.getResource("/iris.csv").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Iris rows, numbered by an {@code id} column (0..149) in file order, on one partition. */
    static Dataset<Row> iris() {
        return SparkTestSession.get().read().option("header", true).option("inferSchema", true)
                .csv(irisCsv().toString()).coalesce(1)
                .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
    }

    /** One double column, row by row, in the frame's order. */
    static double[] doubles(Dataset<Row> frame, String column) {
        List<Row> rows = frame.select(column).collectAsList();
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = rows.get(i).getDouble(0);
        }
        return values;
    }

    /** One vector column flattened row by row, in the frame's order. */
    static double[] vectors(Dataset<Row> frame, String column) {
        List<Row> rows = frame.select(column).collectAsList();
        int width = ((Vector) rows.get(0).get(0)).size();
        double[] values = new double[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(((Vector) rows.get(i).get(0)).toArray(), 0, values, i * width, width);
        }
        return values;
    }
}
