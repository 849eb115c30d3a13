package dptrain.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import dptrain.driver.data.DeltaSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession shared by every Spark test of the driver module; stopped at JVM exit.
 * Its catalog is Spark's built-in one, with its warehouse (where {@code saveAsTable} writes) in a
 * temporary directory; Delta's extension and catalog as the command line sets them ({@link DeltaSettings}).
 */
public final class SparkTestSession {

    private static final Path WAREHOUSE = warehouse();
    private static SparkSession session;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[4]")
                    .appName("dptrain-driver-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.warehouse.dir", WAREHOUSE.toUri().toString())
                    .config(DeltaSettings.addTo(new SparkConf(false)))
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            SparkSession stopped = session;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.stop();
                deleteWarehouse();
            }, "spark-test-session-stop"));
        }
        return session;
    }

    private static void deleteWarehouse() {
        try (Stream<Path> paths = Files.walk(WAREHOUSE)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it up
        }
    }

    private static Path warehouse() {
        try {
            Path dir = Files.createTempDirectory("dptrain-test-warehouse");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
