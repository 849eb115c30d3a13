package dptrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.Task;
import dptrain.driver.data.FeatureScaling;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model card keeps the JSON of every model.zip written so far: versioned fixtures (cards as the
 * hand-built writers of TrainJob and ModelArchive wrote them before ModelCard existed) read back and
 * write again byte for byte, and a card survives its own round trip.
 */
class ModelCardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A card of format 1 as written before ModelCard, by a job, a retrain and the Spark ML models. */
    static String fixture(String name) throws IOException {
        try (InputStream in = ModelCardTest.class.getResourceAsStream("model-" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"job-card", "job-card-warm", "ml-card", "ml-regression-card"})
    void aCardWrittenBeforeReadsBackAndWritesAgainUnchanged(String name) throws IOException {
        String written = fixture(name);

        assertEquals(written, ModelCard.fromJson(written).toJson());
    }

    @Test
    void aJobCardReadsAsWhatTheJobWrote() throws IOException {
        ModelCard card = ModelCard.fromJson(fixture("job-card-warm"));

        assertEquals(1, card.format());
        assertEquals("0.1.0", card.version());
        assertEquals(Instant.parse("2026-12-07T22:36:56.468064119Z"), card.createdAt());
        assertEquals(Task.CLASSIFICATION, card.task());
        assertEquals(11, card.seed());
        assertEquals(3, card.epochs());
        assertEquals(75, card.iterations());
        assertEquals(5, card.featureCount());
        assertEquals("/data/train.csv", card.trainData());
        assertEquals(DataFormat.CSV, card.dataFormat());
        assertEquals("none", card.specData("normalize").asText());
        assertEquals(true, card.specData("header").asBoolean(false));
        assertNull(card.featuresCol());
        assertEquals(List.of("0", "1", "2"), card.labelNames());
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), card.featureColumns());
        assertArrayEquals(new float[] {0.1f, -2.5f, 3.3333333f, 1.0E-5f, 0f}, card.scaling().offset());
        assertArrayEquals(new float[] {1.7320508f, 0.25f, 12345.678f, 1f, 2.0E7f}, card.scaling().divisor());
        assertNull(card.trainLoss());
        assertEquals("v0001", card.warmStartFrom());
    }

    @Test
    void aSparkMlCardReadsAsTheModelWroteIt() throws IOException {
        ModelCard card = ModelCard.fromJson(fixture("ml-card"));

        assertEquals(Task.CLASSIFICATION, card.task());
        assertEquals(42, card.seed());
        assertEquals(DataFormat.PARQUET, card.dataFormat());
        assertNull(card.spec());
        assertEquals(true, card.specData("header").isMissingNode());
        assertEquals("features", card.featuresCol());
        assertEquals(List.of("0.0", "1.0"), card.labelNames());
        assertEquals(List.of(), card.featureColumns());
        assertArrayEquals(new double[] {0.6931471805599453, 0.5, 0.31, 1.0E-7}, card.trainLoss());
        assertNull(card.warmStartFrom());
    }

    @Test
    void aCardSurvivesItsOwnRoundTrip() throws IOException {
        ModelCard card = new ModelCard(ModelCard.FORMAT, "9.8.7-SNAPSHOT", Instant.parse("2026-12-01T08:00:00.5Z"),
                Task.REGRESSION, -3L, 12, 1234, 2, "hdfs:///data/x.parquet", DataFormat.PARQUET,
                JSON.readTree("{\"data\":{\"format\":\"parquet\",\"normalize\":\"standard\"},\"seed\":[1,2]}"), null,
                List.of(), List.of("a b", "ü"), new FeatureScaling(new float[] {Float.MIN_VALUE, -0f},
                new float[] {Float.MAX_VALUE, 3f}), new double[] {Double.MIN_VALUE, 1e300}, "v0042");

        String json = card.toJson();
        ModelCard back = ModelCard.fromJson(json);

        assertEquals(json, back.toJson());
        assertEquals(card.createdAt(), back.createdAt());
        assertEquals(card.spec(), back.spec());
        assertEquals(card.featureColumns(), back.featureColumns());
        assertArrayEquals(card.scaling().offset(), back.scaling().offset());
        assertArrayEquals(card.scaling().divisor(), back.scaling().divisor());
        assertArrayEquals(card.trainLoss(), back.trainLoss());
        assertEquals(List.of("format", "version", "created_at", "task", "seed", "epochs", "iterations",
                        "feature_count", "train_data", "data_format", "spec", "label_names", "feature_columns",
                        "scaling", "train_loss", "warm_start_from"),
                names(JSON.readTree(json).fieldNames()));
    }

    @Test
    void missingKeysReadAsAbsentLikeTheReadersBefore() throws IOException {
        // What report.html needs from a card: the report test's card has no scaling, columns or counts.
        ModelCard card = ModelCard.fromJson("{\"version\":\"0.1.0\",\"task\":\"regression\",\"label_names\":[]}");

        assertEquals(Task.REGRESSION, card.task());
        assertNull(card.createdAt());
        assertNull(card.dataFormat());
        assertEquals(0, card.featureCount());
        assertEquals(List.of(), card.featureColumns());
        assertEquals(0, card.scaling().offset().length);
        assertNull(card.trainLoss());
        assertNull(card.dataVersion(), "cards before data_version was recorded");
    }

    /** A model of a Delta table: the version read comes last, and only then, so older cards keep their text. */
    @Test
    void theDeltaVersionReadSurvivesTheRoundTrip() throws IOException {
        ModelCard card = new ModelCard(ModelCard.FORMAT, "1.0.0", Instant.parse("2026-12-01T08:00:00Z"),
                Task.CLASSIFICATION, 7L, 3, 30, 2, "s3a://lake/events", DataFormat.DELTA, null, null,
                List.of("0", "1"), List.of("a", "b"), new FeatureScaling(new float[2], new float[] {1f, 1f}), null,
                "v0001", 42L);

        String json = card.toJson();
        ModelCard back = ModelCard.fromJson(json);

        assertEquals(42L, back.dataVersion());
        assertEquals(DataFormat.DELTA, back.dataFormat());
        assertEquals(json, back.toJson());
        assertTrue(json.endsWith(",\"warm_start_from\":\"v0001\",\"data_version\":42}"), json);
    }

    @Test
    void aValueThatMeansNothingNamesItsKey() {
        IllegalArgumentException task = assertThrows(IllegalArgumentException.class,
                () -> ModelCard.fromJson("{\"task\":\"ranking\"}"));
        assertEquals("task: unknown value 'ranking'; use classification, regression", task.getMessage());
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
                () -> ModelCard.fromJson("{\"data_format\":\"xlsx\"}"));
        assertEquals("data_format: unknown value 'xlsx'; use idx, csv, parquet, libsvm, table, delta, source", format.getMessage());
        IllegalArgumentException time = assertThrows(IllegalArgumentException.class,
                () -> ModelCard.fromJson("{\"created_at\":\"yesterday\"}"));
        assertEquals("created_at: not an ISO-8601 instant, got 'yesterday'", time.getMessage());
    }

    private static List<String> names(Iterator<String> keys) {
        List<String> names = new ArrayList<>();
        keys.forEachRemaining(names::add);
        return names;
    }
}
