package dptrain.driver.data;

import dptrain.driver.config.DataSpec;
import io.delta.tables.DeltaTable;
import java.util.Arrays;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The data where it lives: a table of the Spark catalog, a Delta Lake table, or any other Spark
 * data source by name with its options. Each becomes a DataFrame whose columns are then read like
 * Parquet's ({@link ColumnarSource}: the same row checks, split, scaling and shards). {@code
 * data.since} becomes a filter on {@code data.partition_column} (Spark prunes a partitioned table's
 * partitions by it), and that column is never a feature, as with date partition directories.
 *
 * <p>A Delta table is read at one version, resolved before reading: the pinned {@code data.version},
 * the latest commit at or before {@code data.timestamp}, or the latest version at read time (a test
 * table always at its latest: the pin names a version of the training table). The read
 * is pinned to it, so the version recorded with the model is exactly the data it saw. Delta needs
 * its session extension ({@link DeltaSettings}, which the command line sets).
 *
 * @param data     the rows, checked as Parquet's are
 * @param range    the dates of {@code data.partition_column} that were read, or {@code null} when the
 *                 source has no such column
 * @param version  the Delta table version read, or {@code null} for other sources
 */
record TableSource(SourceData data, DataRange range, Long version) {

    /** @param train the training data a test set must match, or {@code null} when reading the training data */
    static TableSource read(SparkSession spark, DataSpec spec, String name, String key, LabelEncoding labels,
                            SourceData train) {
        String since = train == null ? spec.since() : null;
        Long[] version = new Long[1];
        String shown;
        Dataset<Row> frame;
        switch (spec.format()) {
            case TABLE -> {
                shown = "table " + name;
                frame = catalogTable(spark, name, key);
            }
            case DELTA -> {
                DataFiles.requireData(spark, name, key);
                version[0] = deltaVersion(spark, spec, name, key, train == null);
                shown = name + "@v" + version[0];
                frame = read(() -> spark.read().format("delta").options(spec.options())
                        .option("versionAsOf", version[0]).load(name), key, shown);
            }
            case SOURCE -> {
                DataFiles.requireData(spark, name, key);
                shown = name;
                frame = source(spark, spec, name, key);
            }
            default -> throw new IllegalArgumentException("not a table format: " + spec.format());
        }
        String column = spec.partitionColumn();
        DataRange range = null;
        if (Arrays.asList(frame.columns()).contains(column)) {
            Dataset<Row> all = frame;
            if (since != null) {
                frame = frame.filter(functions.col(column).geq(functions.lit(since)));
            }
            Column day = functions.col(column).cast("date").cast("string");
            Row dates = frame.agg(functions.min(day), functions.max(day), functions.countDistinct(day)).first();
            if (dates.getLong(2) == 0 && since != null) {
                Object newest = all.agg(functions.max(day)).first().get(0);
                throw new DataException("data.since: no partitions of " + shown + " from " + since + " on; "
                        + (newest == null ? "it has no rows" : "the newest is " + column + "=" + newest));
            }
            if (dates.getLong(2) > 0) {
                range = new DataRange(column, since, dates.getString(0), dates.getString(1), (int) dates.getLong(2));
            }
            frame = frame.drop(column);
        } else if (since != null) {
            throw new DataException("data.since: " + shown + " has no column '" + column + "' to filter"
                    + " (data.partition_column: " + column + ")");
        }
        SourceData data = ColumnarSource.read(frame, false, spec, shown, key, labels, train);
        return new TableSource(data, range, version[0]);
    }

    private static Dataset<Row> catalogTable(SparkSession spark, String name, String key) {
        boolean exists;
        try {
            exists = spark.catalog().tableExists(name);
        } catch (Exception e) { // Scala throws checked ones undeclared
            throw new DataException(key + ": '" + name + "' is not a table name: " + message(e), e);
        }
        if (!exists) {
            throw new DataException(key + ": table '" + name + "' not found in the Spark catalog (current database: "
                    + spark.catalog().currentDatabase() + ")");
        }
        return read(() -> spark.table(name), key, "table " + name);
    }

    private static Dataset<Row> source(SparkSession spark, DataSpec spec, String path, String key) {
        try {
            Dataset<Row> frame = spark.read().format(spec.source()).options(spec.options()).load(path);
            frame.schema();
            return frame;
        } catch (Exception e) { // Scala throws checked ones undeclared
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SparkThrowable thrown && "DATA_SOURCE_NOT_FOUND".equals(thrown.getErrorClass())
                        || t instanceof ClassNotFoundException) {
                    throw new DataException("data.format: no Spark data source '" + spec.source()
                            + "' on the classpath (Spark has orc, json, text, csv, parquet; avro needs spark-avro)", e);
                }
            }
            throw new DataException(key + ": cannot read " + path + " as " + spec.source() + ": " + message(e), e);
        }
    }

    /**
     * The Delta version to read, checked against the table's history, so that a version or time the
     * table does not have fails with one line before anything is read.
     */
    private static long deltaVersion(SparkSession spark, DataSpec spec, String path, String key, boolean pinned) {
        if (!DeltaTable.isDeltaTable(spark, path)) {
            throw new DataException(key + ": " + path + " is not a Delta table (it has no _delta_log)");
        }
        Dataset<Row> history = read(() -> DeltaTable.forPath(spark, path).history(), key, path);
        Row bounds = history.agg(functions.min("version"), functions.max("version"),
                functions.min("timestamp").cast("string")).first();
        long first = bounds.getLong(0);
        long latest = bounds.getLong(1);
        if (pinned && spec.version() != null) {
            long wanted = spec.version();
            if (wanted < first || wanted > latest) {
                throw new DataException("data.version: " + path + " has no version " + wanted + "; its versions are "
                        + first + " to " + latest);
            }
            return wanted;
        }
        if (pinned && spec.timestamp() != null) {
            Column at = functions.lit(spec.timestamp()).cast("timestamp");
            Row found = history.filter(functions.col("timestamp").leq(at)).agg(functions.max("version")).first();
            if (found.isNullAt(0)) {
                throw new DataException("data.timestamp: " + path + " has no version at or before " + spec.timestamp()
                        + "; its first version was committed at " + bounds.getString(2));
            }
            return found.getLong(0);
        }
        return latest;
    }

    private static Dataset<Row> read(java.util.function.Supplier<Dataset<Row>> reader, String key, String shown) {
        try {
            return reader.get();
        } catch (Exception e) { // Scala throws checked ones undeclared
            throw new DataException(key + ": cannot read " + shown + ": " + message(e), e);
        }
    }

    private static String message(Throwable e) {
        return DataFiles.firstLine(e.getMessage());
    }
}
