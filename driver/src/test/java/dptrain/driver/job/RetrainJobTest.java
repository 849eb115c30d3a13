package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.BadInputException;
import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecJson;
import dptrain.worker.step.NetworkState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dptrain retrain} on date-partitioned Parquet written the way a daily Spark job writes it.
 * The shared registry holds {@code v0001}, trained from scratch on the first day; the tests then
 * retrain on the two later days ({@code data.since}) into copies of it.
 */
class RetrainJobTest {

    @TempDir
    static Path root;

    static Path table;
    static Path holdout;
    static Path baseRegistry;
    static RetrainOutcome first;
    static JobSpec firstSpec;

    @TempDir
    Path dir;

    @BeforeAll
    static void firstVersion() {
        table = root.resolve("events");
        holdout = root.resolve("holdout");
        RetrainFixtures.appendDay(table, "2026-11-01", 240, 1);
        RetrainFixtures.holdout(holdout, 300, 99);
        baseRegistry = root.resolve("models");
        firstSpec = spec("registry.dir=" + baseRegistry, "data.since=2026-11-01");
        first = RetrainJob.run(SparkTestSession.get(), firstSpec);
        RetrainFixtures.appendDay(table, "2026-11-02", 240, 2);
        RetrainFixtures.appendDay(table, "2026-11-03", 240, 3);
    }

    static JobSpec spec(String... overrides) {
        return JobFixtures.spec(RetrainFixtures.spec(table, holdout, root.resolve("out")), overrides);
    }

    /** A copy of the registry holding v0001, for one test to change. */
    Path registry() {
        Path copy = dir.resolve("models");
        RetrainFixtures.copy(baseRegistry, copy);
        return copy;
    }

    @Test
    void theFirstRetrainOnAnEmptyRegistryTrainsFromScratchAndPromotesV0001() throws IOException {
        assertEquals("v0001", first.version());
        assertTrue(first.promoted());
        assertEquals("test_accuracy", first.metricName());
        assertTrue(Double.isNaN(first.currentMetric()));
        assertEquals("first version of the registry (test_accuracy " + RetrainJob.format(first.candidateMetric()) + ")",
                first.reason());
        assertEquals("v0001\n", Files.readString(baseRegistry.resolve("current")));
        JsonNode meta = JobFixtures.JSON.readTree(baseRegistry.resolve("v0001/meta.json").toFile());
        assertEquals("promoted", meta.path("status").asText());
        assertTrue(meta.path("parent").isNull());
        assertTrue(meta.path("warm_start").isNull());
        assertEquals(RetrainJob.sha256(SpecJson.toJson(firstSpec)), meta.path("spec_sha256").asText());
        assertEquals(64, meta.path("spec_sha256").asText().length());
        assertEquals(first.candidateMetric(), meta.path("candidate_metric").asDouble());
        JsonNode data = meta.path("data");
        assertEquals("date", data.path("partition_column").asText());
        assertEquals("2026-11-01", data.path("since").asText());
        assertEquals("2026-11-01", data.path("first").asText());
        assertEquals("2026-11-01", data.path("last").asText());
        assertEquals(1, data.path("partitions").asInt());
        assertEquals(240, data.path("train_rows").asLong() + data.path("validation_rows").asLong());
        assertEquals(300, data.path("test_rows").asLong());
        JsonNode metrics = JobFixtures.JSON.readTree(baseRegistry.resolve("v0001/metrics.json").toFile());
        assertEquals(first.candidateMetric(), metrics.path("candidate").path("test_accuracy").asDouble());
        assertTrue(metrics.path("current").isNull());
        for (String file : new String[] {"model.zip", "summary.json", "metrics.jsonl", "report.html"}) {
            assertTrue(Files.isRegularFile(baseRegistry.resolve("v0001").resolve(file)), file);
        }
        assertFalse(Files.exists(baseRegistry.resolve("v0001/checkpoints")), "the candidate's checkpoints are removed");
    }

    @Test
    void aRetrainOnNewPartitionsStartsFromTheCurrentModelAndIsPromotedWhenBetterByTheMargin() throws IOException {
        Path registry = registry();
        AtomicReference<NetworkState> start = new AtomicReference<>();
        JobSpec spec = spec("registry.dir=" + registry, "data.since=2026-11-02", "training.epochs=10",
                "training.optimizer.learning_rate=0.02", "retrain.min_improvement=0.05");

        RetrainOutcome outcome = RetrainJob.run(SparkTestSession.get(), spec, start::set);

        MultiLayerNetwork v1 = ModelSerializer.restoreMultiLayerNetwork(registry.resolve("v0001/model.zip").toFile());
        assertArrayEquals(v1.params().toFloatVector(), start.get().params(), 0f, "warm start from v0001's parameters");
        for (float value : start.get().updaterState()) {
            assertEquals(0f, value, "the updater state starts fresh");
        }
        assertEquals(0, start.get().iteration());
        // the same holdout rows, normalised with v0001's statistics: v0001 scores what it scored when it was made
        assertEquals(first.candidateMetric(), outcome.currentMetric());
        assertEquals("v0002", outcome.version());
        assertTrue(outcome.candidateMetric() > outcome.currentMetric() + 0.05,
                outcome.candidateMetric() + " vs " + outcome.currentMetric());
        assertTrue(outcome.promoted(), outcome.reason());
        assertEquals("test_accuracy " + RetrainJob.format(outcome.candidateMetric()) + " vs "
                + RetrainJob.format(outcome.currentMetric()) + " of v0001: better by "
                + RetrainJob.format(outcome.candidateMetric() - outcome.currentMetric())
                + ", more than retrain.min_improvement 0.0500", outcome.reason());
        assertEquals("v0002\n", Files.readString(registry.resolve("current")));
        JsonNode meta = JobFixtures.JSON.readTree(registry.resolve("v0002/meta.json").toFile());
        assertEquals("promoted", meta.path("status").asText());
        assertEquals("v0001", meta.path("parent").asText());
        assertEquals("v0001", meta.path("warm_start").path("from").asText());
        assertEquals("2026-11-02", meta.path("data").path("first").asText());
        assertEquals("2026-11-03", meta.path("data").path("last").asText());
        assertEquals(2, meta.path("data").path("partitions").asInt());
        assertEquals(480, meta.path("data").path("train_rows").asLong()
                + meta.path("data").path("validation_rows").asLong());
        JsonNode metrics = JobFixtures.JSON.readTree(registry.resolve("v0002/metrics.json").toFile());
        assertEquals(outcome.currentMetric(), metrics.path("current").path("test_accuracy").asDouble());
        assertEquals("v0001", metrics.path("current").path("version").asText());
    }

    @Test
    void aCandidateThatIsNotBetterByTheMarginIsKeptAsRejectedAndCurrentKeepsItsBytes() throws IOException {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        RetrainOutcome outcome = RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.since=2026-11-02", "retrain.min_improvement=1"));

        assertEquals("v0002", outcome.version());
        assertFalse(outcome.promoted());
        double improvement = outcome.candidateMetric() - outcome.currentMetric();
        assertEquals("test_accuracy " + RetrainJob.format(outcome.candidateMetric()) + " vs "
                + RetrainJob.format(outcome.currentMetric()) + " of v0001: "
                + (improvement >= 0 ? "better by " + RetrainJob.format(improvement)
                : "worse by " + RetrainJob.format(-improvement))
                + ", not more than retrain.min_improvement 1.0000", outcome.reason());
        Map<String, byte[]> after = RetrainFixtures.files(registry);
        for (Map.Entry<String, byte[]> file : before.entrySet()) {
            assertArrayEquals(file.getValue(), after.get(file.getKey()), file.getKey() + " changed");
        }
        assertEquals("v0001\n", Files.readString(registry.resolve("current")));
        JsonNode meta = JobFixtures.JSON.readTree(registry.resolve("v0002/meta.json").toFile());
        assertEquals("rejected", meta.path("status").asText());
        assertEquals(outcome.reason(), meta.path("reason").asText());
        assertTrue(Files.isRegularFile(registry.resolve("v0002/model.zip")), "a rejected candidate is kept");
    }

    @Test
    void aSpecThatBuildsAnotherNetworkIsOneLineAndChangesNothing() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.since=2026-11-02", "model.layers[0].units=8")));

        assertEquals("model: the current model v0001 has the parameters {0_W=[4, 12], 0_b=[1, 12], 1_W=[12, 3],"
                + " 1_b=[1, 3]}, the spec builds {0_W=[4, 8], 0_b=[1, 8], 1_W=[8, 3], 1_b=[1, 3]}; retrain continues"
                + " a network of the same shape (use a new registry.dir for a new architecture)", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void anotherNormalisationIsOneLineAndChangesNothing() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.normalize=minmax")));

        assertEquals("data.normalize: the current model v0001 was trained with normalize standard, got minmax;"
                + " retrain keeps the model's normalisation", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void sinceAfterTheNewestPartitionIsOneLineAndChangesNothing() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.since=2026-12-01")));

        assertEquals("data.since: no partitions of " + table + " from 2026-12-01 on; the newest is date=2026-11-03",
                error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void featuresInAnotherOrderAreOneLineAndChangeNothing() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.since=2026-11-02", "data.features=[f3,f2,f1,f0]")));

        assertEquals("data.features: the current model v0001 was trained on the columns [f0, f1, f2, f3], the new"
                + " data gives [f3, f2, f1, f0]; retrain continues a model on the same features", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void withoutAHoldoutNothingCanBeComparedAndNothingIsWritten() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);
        JobSpec spec = spec("registry.dir=" + registry, "data.validation_fraction=0");
        DataSpec data = spec.data();
        JobSpec noTest = new JobSpec(new DataSpec(data.format(), data.train(), null, data.label(), data.features(),
                data.header(), data.validationFraction(), data.normalize(), data.scale(), data.numFeatures(),
                data.shape(), data.since(), data.partitionColumn()), spec.model(), spec.training(), spec.output(),
                spec.checkpoint(), spec.earlyStopping(), spec.monitoring(), spec.retrain());

        BadInputException error = assertThrows(BadInputException.class,
                () -> RetrainJob.run(SparkTestSession.get(), noTest));

        assertEquals("data.test: dptrain retrain compares models on a holdout; set data.test or"
                + " data.validation_fraction > 0", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void sinceOnDataWithoutDatePartitionsIsOneLine() {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.train=" + holdout, "data.since=2026-11-02")));

        assertEquals("data.since: " + holdout + " has no date=YYYY-MM-DD partition directories to filter"
                + " (data.partition_column: date)", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void aPartitionThatIsNotADateIsOneLine() throws IOException {
        Path registry = registry();
        Map<String, byte[]> before = RetrainFixtures.files(registry);
        Path odd = dir.resolve("odd-events");
        RetrainFixtures.copy(table, odd);
        RetrainFixtures.copy(table.resolve("date=2026-11-03"), odd.resolve("date=latest"));

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + registry, "data.train=" + odd, "data.since=2026-11-02")));

        assertEquals("data.train: partition directory 'date=latest' in " + odd + " is not a date; expected"
                + " date=YYYY-MM-DD", error.getMessage());
        assertUnchanged(before, registry);
    }

    @Test
    void aDirectoryThatIsNotARegistryIsRefused() throws IOException {
        Path other = Files.createDirectories(dir.resolve("reports"));
        Files.writeString(other.resolve("notes.txt"), "not a model");

        BadInputException error = assertThrows(BadInputException.class, () -> RetrainJob.run(SparkTestSession.get(),
                spec("registry.dir=" + other)));

        assertEquals("registry.dir: file:" + other + " is not a model registry (it holds 'notes.txt'; a registry"
                + " holds v0001/, v0002/, ... and current)", error.getMessage());
        assertEquals(1, RetrainFixtures.files(other).size());
    }

    private static void assertUnchanged(Map<String, byte[]> before, Path registry) {
        Map<String, byte[]> after = RetrainFixtures.files(registry);
        assertEquals(before.keySet(), after.keySet());
        for (Map.Entry<String, byte[]> file : before.entrySet()) {
            assertArrayEquals(file.getValue(), after.get(file.getKey()), file.getKey() + " changed");
        }
        assertFalse(Files.exists(registry.resolve("v0002")), "no version directory is left behind");
    }
}
