package dptrain.driver.job;

import dptrain.driver.SparkTestSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Date-partitioned Parquet as a daily Spark job writes it ({@code partitionBy("date")}: directories
 * {@code date=2026-11-01/part-*.parquet}), and specs for {@code dptrain retrain} on it.
 */
final class RetrainFixtures {

    static final StructType SCHEMA = new StructType()
            .add("f0", DataTypes.DoubleType).add("f1", DataTypes.DoubleType).add("f2", DataTypes.DoubleType)
            .add("f3", DataTypes.DoubleType).add("y", DataTypes.IntegerType).add("date", DataTypes.StringType);

    private RetrainFixtures() {
    }

    /**
     * Appends one day of rows to the table at {@code table}: three classes from a fixed linear rule
     * of four features (offset and scaled, so that normalisation matters).
     */
    static void appendDay(Path table, String date, int rows, long seed) {
        Dataset<Row> frame = SparkTestSession.get().createDataFrame(rows(rows, seed, date), SCHEMA);
        frame.coalesce(1).write().mode(SaveMode.Append).partitionBy("date").parquet(table.toString());
    }

    /** The same rule, unpartitioned (no date column): the fixed holdout. */
    static void holdout(Path file, int rows, long seed) {
        Dataset<Row> frame = SparkTestSession.get().createDataFrame(rows(rows, seed, "x"), SCHEMA).drop("date");
        frame.coalesce(1).write().mode(SaveMode.Overwrite).parquet(file.toString());
    }

    private static List<Row> rows(int rows, long seed, String date) {
        Random random = new Random(seed);
        List<Row> list = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            double[] x = new double[4];
            double sum = 0;
            for (int c = 0; c < 4; c++) {
                x[c] = random.nextGaussian();
                sum += x[c] * (c - 1.5);
            }
            int label = sum < -0.8 ? 0 : sum < 0.8 ? 1 : 2;
            list.add(RowFactory.create(10 + 3 * x[0], x[1] * 0.01, 100 + 50 * x[2], x[3], label, date));
        }
        return list;
    }

    static String spec(Path table, Path holdout, Path output) {
        return """
                data:
                  format: parquet
                  train: %s
                  test: %s
                  label: y
                  normalize: standard
                  validation_fraction: 0.1
                model:
                  layers:
                    - {type: dense, units: 12, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 32
                  epochs: 1
                  seed: 11
                  optimizer: {type: adam, learning_rate: 0.001}
                output:
                  dir: %s
                monitoring:
                  probe_rows: 0
                """.formatted(table, holdout, output);
    }

    /** Every file under {@code dir} with its bytes, by relative path. */
    static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static void copy(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
