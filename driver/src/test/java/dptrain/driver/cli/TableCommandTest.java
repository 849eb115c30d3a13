package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.SparkTestSession;
import dptrain.driver.cli.BadInputTest.Result;
import dptrain.driver.report.ModelCard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dptrain retrain} and {@code train} on a Delta table written here (two versions): the version
 * read goes into the model card and the registry's record, pinned or latest; a bad table name, a
 * missing column and a version the table does not have are one line each, exit 2, nothing written.
 */
class TableCommandTest {

    private static final StructType SCHEMA = new StructType().add("f0", DataTypes.DoubleType)
            .add("f1", DataTypes.DoubleType).add("y", DataTypes.IntegerType);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path events;
    static Path holdout;

    @BeforeAll
    static void writeTables() {
        SparkTestSession.get();
        events = dir.resolve("events");
        holdout = dir.resolve("holdout");
        write(events, 120, 1, SaveMode.ErrorIfExists);
        write(events, 120, 2, SaveMode.Append);
        write(holdout, 90, 3, SaveMode.ErrorIfExists);
    }

    @Test
    void retrainRecordsTheDeltaVersionItRead() throws IOException {
        Path registry = dir.resolve("models");
        Path spec = spec("retrain.yaml", "delta", events.toString(), "registry: {dir: " + registry + "}\n");

        Result pinned = BadInputTest.cli("retrain", spec.toString(), "data.version=0");
        Result latest = BadInputTest.cli("retrain", spec.toString(), "retrain.min_improvement=1");

        assertEquals(0, pinned.code(), pinned.err());
        assertEquals(0, latest.code(), latest.err());
        assertEquals(0L, card(registry.resolve("v0001/model.zip")).dataVersion());
        assertEquals(0, meta(registry, "v0001").path("data").path("version").asInt(-1));
        assertEquals(120, rows(meta(registry, "v0001")), "version 0 only");
        assertEquals(1L, card(registry.resolve("v0002/model.zip")).dataVersion());
        assertEquals(1, meta(registry, "v0002").path("data").path("version").asInt(-1));
        assertEquals(240, rows(meta(registry, "v0002")), "both versions");
    }

    @Test
    void aModelOfOtherDataRecordsNoVersion() throws IOException {
        Path out = dir.resolve("parquet-run");
        Path parquet = dir.resolve("rows.parquet");
        SparkTestSession.get().read().format("delta").load(holdout.toString()).write().parquet(parquet.toString());
        Path spec = spec("parquet.yaml", "parquet", parquet.toString(), "");

        Result result = BadInputTest.cli("train", spec.toString(), "output.dir=" + out);

        assertEquals(0, result.code(), result.err());
        assertNull(card(out.resolve("model.zip")).dataVersion());
        assertFalse(Files.readString(out.resolve("summary.json")).isEmpty());
    }

    @Test
    void aBadTableNameIsOneLine() throws IOException {
        assertBadInput(spec("table.yaml", "table", "no_such_table", ""), List.of(),
                "data.train: table 'no_such_table' not found in the Spark catalog (current database: default)");
    }

    @Test
    void aMissingColumnIsOneLine() throws IOException {
        assertBadInput(spec("column.yaml", "delta", events.toString(), ""), List.of("data.features=[f0, zz]"),
                "data.features: column 'zz' not found in " + events + "@v1; columns: f0, f1, y");
    }

    @Test
    void aVersionTheTableDoesNotHaveIsOneLine() throws IOException {
        assertBadInput(spec("version.yaml", "delta", events.toString(), ""), List.of("data.version=7"),
                "data.version: " + events + " has no version 7; its versions are 0 to 1");
    }

    private static void assertBadInput(Path spec, List<String> overrides, String message) {
        Path out = dir.resolve("out-" + spec.getFileName());
        List<String> args = new ArrayList<>(List.of("train", spec.toString(), "output.dir=" + out));
        args.addAll(overrides);

        Result result = BadInputTest.cli(args.toArray(String[]::new));

        assertEquals(2, result.code(), result.err());
        List<String> lines = result.err().lines().toList();
        assertEquals("dptrain: error: " + message, lines.get(lines.size() - 1), result.err());
        assertEquals(1, lines.stream().filter(line -> line.startsWith("dptrain: ")).count(), result.err());
        assertEquals("", result.out());
        assertFalse(Files.exists(out), "nothing written, not even output.dir itself");
    }

    private static Path spec(String name, String format, String train, String extra) throws IOException {
        Path spec = dir.resolve(name);
        Files.writeString(spec, """
                data:
                  format: %s
                  train: %s
                  test: %s
                  label: y
                  normalize: standard
                model:
                  layers:
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training: {workers: 2, batch_size: 32, epochs: 1, seed: 5}
                output: {dir: %s}
                monitoring: {probe_rows: 0}
                %s""".formatted(format, train, format.equals("delta") ? holdout : "~", dir.resolve("out-" + name),
                extra));
        return spec;
    }

    private static ModelCard card(Path modelZip) throws IOException {
        try (ZipFile zip = new ZipFile(modelZip.toFile())) {
            return ModelCard.fromJson(new String(zip.getInputStream(zip.getEntry("dptrain.json")).readAllBytes(),
                    StandardCharsets.UTF_8));
        }
    }

    private static int rows(JsonNode meta) {
        return meta.path("data").path("train_rows").asInt() + meta.path("data").path("validation_rows").asInt();
    }

    private static JsonNode meta(Path registry, String version) throws IOException {
        return JSON.readTree(registry.resolve(version).resolve("meta.json").toFile());
    }

    /** {@code rows} rows of three classes by a fixed linear rule of two features. */
    private static void write(Path table, int rows, long seed, SaveMode mode) {
        Random random = new Random(seed);
        List<Row> list = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            double sum = a - b;
            list.add(RowFactory.create(a, b, sum < -0.7 ? 0 : sum < 0.7 ? 1 : 2));
        }
        SparkTestSession.get().createDataFrame(list, SCHEMA).coalesce(1).write().format("delta").mode(mode)
                .save(table.toString());
    }
}
