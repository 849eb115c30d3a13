package dptrain.driver.data;

import org.apache.spark.SparkConf;

/**
 * The session settings Delta Lake needs for every Delta operation, path-based reads included (Delta
 * 3 refuses to open a table without its extension). They must be set before the session starts, so
 * the command line adds them to the configuration it starts Spark with, keeping what the user set:
 * another extension stays and Delta's is appended; a {@code spark_catalog} of the user's own wins.
 * The Delta catalog also lets {@code data.format: table} read Delta tables registered in the catalog.
 */
public final class DeltaSettings {

    /** Delta's SQL extension (time travel, its commands). */
    public static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
    /** Delta's session catalog, which serves other tables as the built-in one does. */
    public static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

    private static final String EXTENSIONS_KEY = "spark.sql.extensions";
    private static final String CATALOG_KEY = "spark.sql.catalog.spark_catalog";

    private DeltaSettings() {
    }

    /** Adds Delta's extension and catalog to {@code conf} where it does not have them; returns {@code conf}. */
    public static SparkConf addTo(SparkConf conf) {
        String extensions = conf.get(EXTENSIONS_KEY, "").trim();
        if (extensions.isEmpty()) {
            conf.set(EXTENSIONS_KEY, EXTENSION);
        } else if (!java.util.Arrays.asList(extensions.split("\\s*,\\s*")).contains(EXTENSION)) {
            conf.set(EXTENSIONS_KEY, extensions + "," + EXTENSION);
        }
        conf.setIfMissing(CATALOG_KEY, CATALOG);
        return conf;
    }
}
