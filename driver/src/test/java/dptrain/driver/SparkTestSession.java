package dptrain.driver;

import org.apache.spark.sql.SparkSession;

/** The one local SparkSession shared by every Spark test of the driver module; stopped at JVM exit. */
public final class SparkTestSession {

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
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            SparkSession stopped = session;
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::stop, "spark-test-session-stop"));
        }
        return session;
    }
}
