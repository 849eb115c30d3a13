package dptrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.Normalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data where it lives, each written here by real Spark: a Delta table with two versions, a
 * date-partitioned table in Spark's built-in catalog (the test session's temporary warehouse), and
 * JSON through the generic source path with a reader option.
 */
class TableSourceTest {

    private static final StructType SCHEMA = new StructType().add("a", DataTypes.DoubleType)
            .add("b", DataTypes.DoubleType).add("y", DataTypes.IntegerType).add("date", DataTypes.DateType);
    private static final LabelEncoding TWO = new LabelEncoding.ClassIndices(2);

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    @Test
    void deltaIsReadAtThePinnedVersionOrTheLatestAndSaysWhich() {
        String path = dir.resolve("delta-events").toString();
        write(rows(6, "2026-11-01"), SaveMode.ErrorIfExists, path);
        write(rows(4, "2026-11-02"), SaveMode.Append, path);

        PreparedData pinned = prepare(delta(path, 0L, null));
        PreparedData latest = prepare(delta(path, null, null));
        PreparedData future = prepare(delta(path, null, "2999-01-01 00:00:00"));

        assertEquals(6, pinned.trainRows());
        assertEquals(0L, pinned.trainVersion());
        assertEquals(10, latest.trainRows());
        assertEquals(1L, latest.trainVersion());
        assertEquals(List.of("a", "b"), latest.featureColumns(), "the date column is never a feature");
        assertEquals(new DataRange("date", null, "2026-11-01", "2026-11-02", 2), latest.trainRange());
        assertEquals(1L, future.trainVersion());
        assertEquals("data.version: " + path + " has no version 5; its versions are 0 to 1",
                assertThrows(DataException.class, () -> prepare(delta(path, 5L, null))).getMessage());
        assertEquals("data.timestamp: " + path + " has no version at or before 2000-01-01; its first version was"
                + " committed at ", assertThrows(DataException.class, () -> prepare(delta(path, null, "2000-01-01")))
                .getMessage().replaceAll("committed at .*", "committed at "));
    }

    @Test
    void aCatalogTableIsFilteredByDataSinceOnItsPartitionColumn() {
        spark.createDataFrame(concat(rows(5, "2026-11-01"), rows(7, "2026-11-02"), rows(3, "2026-11-03")), SCHEMA)
                .write().partitionBy("date").saveAsTable("events");
        DataSpec all = spec(DataFormat.TABLE, "events", null, Map.of());
        DataSpec since = spec(DataFormat.TABLE, "events", "2026-11-02", Map.of());

        PreparedData every = prepare(all);
        PreparedData recent = prepare(since);

        assertEquals(15, every.trainRows());
        assertEquals(new DataRange("date", null, "2026-11-01", "2026-11-03", 3), every.trainRange());
        assertEquals(10, recent.trainRows());
        assertEquals(new DataRange("date", "2026-11-02", "2026-11-02", "2026-11-03", 2), recent.trainRange());
        assertEquals(List.of("a", "b"), recent.featureColumns());
        assertNull(recent.trainVersion());
        assertEquals("data.since: no partitions of table events from 2026-12-01 on; the newest is date=2026-11-03",
                assertThrows(DataException.class, () -> prepare(spec(DataFormat.TABLE, "events", "2026-12-01",
                        Map.of()))).getMessage());
        assertEquals("data.train: table 'no_such_table' not found in the Spark catalog (current database: default)",
                assertThrows(DataException.class, () -> prepare(spec(DataFormat.TABLE, "no_such_table", null,
                        Map.of()))).getMessage());
        DataSpec missing = new DataSpec(DataFormat.TABLE, "events", null, "y", List.of("a", "zz"), false, 0.0,
                Normalization.NONE, 255.0, 0, List.of(), null, "date");
        assertEquals("data.features: column 'zz' not found in table events; columns: a, b, y",
                assertThrows(DataException.class, () -> prepare(missing)).getMessage());
    }

    @Test
    void anyOtherSparkSourceIsReadByNameWithItsOptions() throws IOException {
        Path json = dir.resolve("rows.json");
        StringBuilder text = new StringBuilder("[\n");
        for (int i = 0; i < 8; i++) {
            text.append(i == 0 ? "" : ",\n").append("{\"a\": ").append(i * 0.5).append(", \"b\": ").append(8 - i)
                    .append(", \"y\": ").append(i % 2).append('}');
        }
        Files.writeString(json, text.append("\n]\n").toString());

        PreparedData data = prepare(spec(DataFormat.SOURCE, json.toString(), null, Map.of("multiLine", "true")));

        assertEquals(8, data.trainRows());
        assertEquals(List.of("a", "b"), data.featureColumns());
        assertNull(data.trainRange(), "no date column: nothing to record");
        assertEquals("data.format: no Spark data source 'nosuchformat' on the classpath (Spark has orc, json, text,"
                + " csv, parquet; avro needs spark-avro)", assertThrows(DataException.class, () -> prepare(
                        new DataSpec(DataFormat.SOURCE, json.toString(), null, "y", List.of(), false, 0.0,
                                Normalization.NONE, 255.0, 0, List.of(), null, "date", "nosuchformat", Map.of(), null,
                                null))).getMessage());
    }

    private static PreparedData prepare(DataSpec spec) {
        return DatasetPreparer.prepare(spark, spec, TWO, 1, 3L);
    }

    private static DataSpec delta(String path, Long version, String timestamp) {
        return new DataSpec(DataFormat.DELTA, path, null, "y", List.of(), false, 0.0, Normalization.NONE, 255.0, 0,
                List.of(), null, "date", null, Map.of(), version, timestamp);
    }

    private static DataSpec spec(DataFormat format, String train, String since, Map<String, String> options) {
        return new DataSpec(format, train, null, "y", List.of(), false, 0.0, Normalization.NONE, 255.0, 0,
                List.of(), since, "date", format == DataFormat.SOURCE ? "json" : null, options, null, null);
    }

    private static void write(List<Row> rows, SaveMode mode, String path) {
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().format("delta").mode(mode).save(path);
    }

    @SafeVarargs
    private static List<Row> concat(List<Row>... parts) {
        List<Row> all = new ArrayList<>();
        for (List<Row> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    private static List<Row> rows(int count, String date) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(RowFactory.create(i * 0.25, 1.0 - i * 0.1, i % 2, java.sql.Date.valueOf(date)));
        }
        return rows;
    }
}
