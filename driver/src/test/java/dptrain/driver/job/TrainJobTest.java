package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import dptrain.driver.engine.TrainingFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole jobs on the shared local Spark session: what a run writes, and that it resumes exactly. */
class TrainJobTest {

    @TempDir
    Path dir;

    @Test
    void classificationRunWritesMetricsCheckpointsSummaryAndALoadableModel() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 600, 1);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 200, 2);
        Path output = dir.resolve("out");

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(JobFixtures.classificationSpec(train, test, output)));

        List<JsonNode> metrics = JobFixtures.metrics(output);
        assertEquals(3, metrics.size());
        for (int epoch = 1; epoch <= 3; epoch++) {
            JsonNode line = metrics.get(epoch - 1);
            assertEquals(epoch, line.get("epoch").asInt());
            for (String key : List.of("train_loss", "val_loss", "val_accuracy", "lr", "epoch_seconds",
                    "samples_per_second")) {
                assertTrue(line.get(key).isNumber(), key + " missing in " + line);
            }
            assertEquals(0.01, line.get("lr").asDouble(), 1e-12);
        }
        assertTrue(metrics.get(2).get("train_loss").asDouble() < metrics.get(0).get("train_loss").asDouble(),
                "training loss should fall: " + metrics);

        JsonNode summary = JobFixtures.summary(output);
        assertEquals(3, summary.get("epochs_run").asInt());
        assertEquals(200, summary.get("test_rows").asInt());
        assertTrue(summary.get("test_accuracy").asDouble() > 0.8, "test accuracy " + summary);
        assertTrue(summary.get("total_seconds").asDouble() > 0);

        // model.zip is plain DL4J, and holds exactly the parameters of the last checkpoint.
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), true);
        Checkpoint last = CheckpointReader.latest(output.resolve("checkpoints"));
        assertEquals(3, last.state().epoch());
        assertArrayEquals(last.state().params(), model.params().toFloatVector());
        try (ZipFile zip = new ZipFile(output.resolve("model.zip").toFile())) {
            JsonNode metadata = JobFixtures.JSON.readTree(zip.getInputStream(zip.getEntry("dptrain.json")));
            assertEquals("[\"0\",\"1\",\"2\"]", metadata.get("label_names").toString());
            assertEquals("[\"f0\",\"f1\",\"f2\",\"f3\",\"f4\"]", metadata.get("feature_columns").toString());
            assertEquals(11, metadata.get("spec").get("training").get("seed").asInt());
        }
    }

    @Test
    void regressionRunReportsMseMaeAndR2() throws Exception {
        Path train = JobFixtures.regressionCsv(dir, "train.csv", 800, 3);
        Path test = JobFixtures.regressionCsv(dir, "test.csv", 200, 4);
        Path output = dir.resolve("out");
        String yaml = """
                data: {format: csv, train: %s, test: %s, label: y, validation_fraction: 0.1}
                model:
                  layers:
                    - {type: dense, units: 16, activation: tanh}
                    - {type: output, units: 1, loss: mse}
                training: {workers: 2, batch_size: 32, epochs: 8, optimizer: {type: adam, learning_rate: 0.01}}
                output: {dir: %s}
                """.formatted(train, test, output);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml));

        JsonNode last = JobFixtures.metrics(output).get(7);
        for (String key : List.of("val_loss", "val_mse", "val_mae", "val_r2")) {
            assertTrue(last.get(key).isNumber(), key + " missing in " + last);
        }
        JsonNode summary = JobFixtures.summary(output);
        assertTrue(summary.get("test_r2").asDouble() > 0.95, "test r2 " + summary);
        assertTrue(summary.get("test_mae").asDouble() < 0.3, "test mae " + summary);
        // DL4J's MSE loss is the mean over outputs of the squared error: with one output, the MSE itself.
        assertEquals(summary.get("test_mse").asDouble(), summary.get("test_loss").asDouble(), 1e-6);
    }

    /**
     * {@code training.device: gpu} reaches every task (a Spark local property) and the CPU build
     * has no CUDA backend: the first epoch fails at once, not after the retries, with the task's
     * one line, and no checkpoint is written.
     */
    @Test
    void gpuOnTheCpuBuildFailsAtOnceWithTheTasksLine() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 120, 6);
        Path output = dir.resolve("gpu");

        TrainingFailedException failure = assertThrows(TrainingFailedException.class, () -> TrainJob.run(
                SparkTestSession.get(), JobFixtures.spec(JobFixtures.classificationSpec(train, null, output),
                        "training.device=gpu")));

        assertEquals("epoch 1 cannot run: training.device=gpu, but the ND4J CUDA backend is not on the class path (this"
                + " is the CPU build): build with -Pcuda and submit driver/target/dptrain-cuda.jar", failure.getMessage());
        assertTrue(Files.notExists(output.resolve("checkpoints/checkpoint-000001.dpt")));
    }

    @Test
    void rerunningWithMoreEpochsResumesToExactlyTheUninterruptedParameters() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 300, 5);
        Path resumed = dir.resolve("resumed");
        Path straight = dir.resolve("straight");
        String resumedSpec = JobFixtures.classificationSpec(train, null, resumed);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(resumedSpec, "training.epochs=2"));
        assertEquals(2, JobFixtures.metrics(resumed).size());
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(resumedSpec, "training.epochs=4"));
        TrainJob.run(SparkTestSession.get(),
                JobFixtures.spec(JobFixtures.classificationSpec(train, null, straight), "training.epochs=4"));

        JsonNode resumedSummary = JobFixtures.summary(resumed);
        assertEquals(2, resumedSummary.get("resumed_from_epoch").asInt());
        assertEquals(2, resumedSummary.get("epochs_run").asInt());
        Checkpoint a = CheckpointReader.latest(resumed.resolve("checkpoints"));
        Checkpoint b = CheckpointReader.latest(straight.resolve("checkpoints"));
        assertEquals(4, a.state().epoch());
        assertEquals(b.state().iteration(), a.state().iteration());
        assertArrayEquals(b.state().params(), a.state().params(), "parameters after resume");
        assertArrayEquals(b.state().updaterState(), a.state().updaterState(), "Adam state after resume");
        List<JsonNode> resumedMetrics = JobFixtures.metrics(resumed);
        List<JsonNode> straightMetrics = JobFixtures.metrics(straight);
        assertEquals(4, resumedMetrics.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(straightMetrics.get(i).get("train_loss"), resumedMetrics.get(i).get("train_loss"));
            assertEquals(straightMetrics.get(i).get("val_loss"), resumedMetrics.get(i).get("val_loss"));
        }
        assertTrue(Files.exists(resumed.resolve("model.zip")));
    }
}
