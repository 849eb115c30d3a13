package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Watching a run: early stopping, rollback after a divergence, monitoring in metrics.jsonl. */
class WatchJobTest {

    @TempDir
    Path dir;

    /** Labels drawn at random: the network can only memorise them, so validation loss rises. */
    static Path randomLabelsCsv(Path dir, int rows) throws IOException {
        Random random = new Random(5);
        StringBuilder csv = new StringBuilder("f0,f1,f2,f3,f4,y\n");
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 5; c++) {
                csv.append(String.format(Locale.ROOT, "%.5f,", random.nextGaussian()));
            }
            csv.append(random.nextInt(3)).append('\n');
        }
        Path file = dir.resolve("noise.csv");
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndTheModelIsTheBestEpoch() throws Exception {
        Path train = randomLabelsCsv(dir, 160);
        Path output = dir.resolve("out");
        String yaml = """
                data: {format: csv, train: %s, label: y, validation_fraction: 0.25}
                model:
                  layers:
                    - {type: dense, units: 64, activation: tanh}
                    - {type: output, units: 3, activation: softmax, loss: mcxent}
                training: {workers: 2, batch_size: 16, epochs: 20, seed: 3, optimizer: {type: adam, learning_rate: 0.05}}
                output: {dir: %s}
                checkpoint: {keep: 100}
                early_stopping: {metric: val_loss, patience: 2}
                """.formatted(train, output);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml));

        JsonNode summary = JobFixtures.summary(output);
        List<JsonNode> metrics = JobFixtures.metrics(output);
        int bestEpoch = summary.get("best_epoch").asInt();
        int stoppedAt = summary.get("stopped_at_epoch").asInt();
        assertTrue(summary.get("stopped_early").asBoolean(), summary.toString());
        assertTrue(stoppedAt < 20, "stopped at " + stoppedAt);
        assertEquals(bestEpoch + 2, stoppedAt, "patience 2: two epochs without improvement, then stop");
        assertEquals(stoppedAt, metrics.size());
        assertEquals(stoppedAt, summary.get("epochs_run").asInt());
        // The best epoch is the one with the lowest validation loss, and the later ones are worse.
        double best = metrics.get(bestEpoch - 1).get("val_loss").asDouble();
        for (JsonNode line : metrics) {
            if (line.get("epoch").asInt() > bestEpoch) {
                assertTrue(line.get("val_loss").asDouble() >= best, "epoch after the best is better: " + line);
            } else if (line.get("epoch").asInt() < bestEpoch) {
                assertTrue(line.get("val_loss").asDouble() > best, "epoch before the best is as good: " + line);
            }
        }
        assertEquals(best, summary.get("best_val_loss").asDouble(), 0.0);
        // The summary's validation metrics are those of the best epoch's state, evaluated again.
        assertEquals(best, summary.get("val_loss").asDouble(), 1e-6);

        // model.zip holds exactly the best epoch's parameters: those of its checkpoint and of best.dpt,
        // not those of the last epoch.
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false);
        Checkpoint bestCheckpoint = CheckpointReader.file(output.resolve(String.format(
                "checkpoints/checkpoint-%06d.dpt", bestEpoch)));
        assertArrayEquals(bestCheckpoint.state().params(), model.params().toFloatVector());
        assertArrayEquals(bestCheckpoint.state().params(),
                CheckpointReader.file(output.resolve("checkpoints/best.dpt")).state().params());
        Checkpoint last = CheckpointReader.latest(output.resolve("checkpoints"));
        assertEquals(stoppedAt, last.state().epoch());
        assertFalse(Arrays.equals(last.state().params(), model.params().toFloatVector()));
    }

    @Test
    void rollbackHalvesTheLearningRateAndFinishesAndAResumedRunKeepsTheHalf() throws Exception {
        Path train = JobFixtures.regressionCsv(dir, "train.csv", 200, 3);
        Path output = dir.resolve("out");
        String yaml = """
                data: {format: csv, train: %s, label: y, validation_fraction: 0.2}
                model:
                  layers:
                    - {type: output, units: 1, loss: mse}
                training:
                  workers: 2
                  batch_size: 10
                  epochs: 4
                  seed: 42
                  optimizer: {type: sgd, learning_rate: 1.6}
                  on_divergence: rollback
                output: {dir: %s}
                """.formatted(train, output);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml));

        List<JsonNode> lines = JobFixtures.metrics(output);
        List<JsonNode> rollbacks = lines.stream().filter(line -> "rollback".equals(line.path("kind").asText()))
                .toList();
        List<JsonNode> epochs = lines.stream().filter(line -> !line.has("kind")).toList();
        assertEquals(1, rollbacks.size(), lines.toString());
        JsonNode rollback = rollbacks.get(0);
        assertEquals(3, rollback.get("epoch").asInt());
        assertEquals(47, rollback.get("iteration").asInt());
        assertEquals(1, rollback.get("rollback").asInt());
        assertEquals(0.5, rollback.get("lr_scale").asDouble(), 0.0);
        assertEquals("training diverged at epoch 3, iteration 47: loss is Infinity", rollback.get("reason").asText());
        assertEquals(4, epochs.size());
        double[] expectedLr = {1.6, 1.6, 0.8, 0.8};
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 1, epochs.get(i).get("epoch").asInt());
            assertEquals(expectedLr[i], epochs.get(i).get("lr").asDouble(), 1e-12, epochs.get(i).toString());
            assertTrue(Double.isFinite(epochs.get(i).get("train_loss").asDouble()));
        }
        assertEquals(2, epochs.get(2).get("attempts").asInt(), "the diverged launch and the rolled-back one");
        assertEquals(0.5, CheckpointReader.latest(output.resolve("checkpoints")).learningRateScale(), 0.0);
        // Epoch 2 had already drifted far (the error grows geometrically above the stable step); at half
        // the rate the loss falls again instead of overflowing.
        assertTrue(epochs.get(3).get("train_loss").asDouble() < epochs.get(2).get("train_loss").asDouble(),
                epochs.toString());

        // A resumed run continues at the scale its checkpoint was trained with.
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml, "training.epochs=5"));
        JsonNode fifth = JobFixtures.metrics(output).get(5);
        assertEquals(5, fifth.get("epoch").asInt());
        assertEquals(0.8, fifth.get("lr").asDouble(), 1e-12);
    }

    @Test
    void metricsLinesCarryTheActivationProbeAndTheWorkerStatistics() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 120, 7);
        Path output = dir.resolve("out");
        String yaml = """
                data: {format: csv, train: %s, label: y, validation_fraction: 0}
                model:
                  layers:
                    - {type: dense, units: 24, activation: relu}
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, activation: softmax, loss: mcxent}
                training: {workers: 2, batch_size: 16, epochs: 2, optimizer: {type: adam, learning_rate: 0.01}}
                output: {dir: %s}
                monitoring: {probe_rows: 1000, log_every_iterations: 3}
                """.formatted(train, output);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml));

        List<JsonNode> all = JobFixtures.metrics(output);
        List<JsonNode> epochs = all.stream().filter(line -> !line.has("kind")).toList();
        assertEquals(2, epochs.size());
        for (JsonNode line : epochs) {
            for (String key : List.of("grad_norm_mean", "grad_norm_max", "update_ratio", "activation_mean",
                    "activation_std", "dead_relu_fraction")) {
                assertTrue(line.has(key), key + " missing in " + line);
            }
            // what the workers watched (EpochStatistics), printed as they sent it
            double mean = line.get("grad_norm_mean").asDouble();
            assertTrue(mean > 0 && line.get("grad_norm_max").asDouble() >= mean, line.toString());
            assertEquals(List.of("0", "1", "2"), fieldNames(line.get("update_ratio")));
            line.get("update_ratio").forEach(ratio -> assertTrue(ratio.asDouble() > 0, line.toString()));
        }
        // 120 rows in batches of 16: 8 iterations an epoch; a line every 3 iterations, before its epoch's line
        List<String> order = all.stream().map(line -> line.path("kind").asText("epoch") + " "
                + line.get("epoch").asInt() + (line.has("kind") ? " " + line.get("iteration").asInt() : "")).toList();
        assertEquals(List.of("iteration 1 2", "iteration 1 5", "epoch 1", "iteration 2 8", "iteration 2 11",
                "iteration 2 14", "epoch 2"), order);
        for (JsonNode line : all) {
            if (line.has("kind")) {
                assertEquals(0.01, line.get("lr").asDouble(), 1e-12);
                assertTrue(line.get("loss").asDouble() > 0 && line.get("loss").asDouble() < 5, line.toString());
            }
        }
        // Without a validation split the probe is the training split; 1000 rows take all 120, so the
        // statistics are those of the whole file through the final network, whatever the row order.
        JsonNode last = epochs.get(1);
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false);
        List<INDArray> activations = model.feedForward(features(train), false);
        for (int layer = 0; layer < 3; layer++) {
            double[][] values = activations.get(layer + 1).toDoubleMatrix();
            String name = String.valueOf(layer);
            assertEquals(mean(values), last.get("activation_mean").get(name).asDouble(), 1e-5, name);
            assertEquals(sampleStd(values), last.get("activation_std").get(name).asDouble(), 1e-5, name);
        }
        double[][] relu = activations.get(1).toDoubleMatrix();
        int dead = 0;
        for (int unit = 0; unit < relu[0].length; unit++) {
            double largest = 0;
            for (double[] row : relu) {
                largest = Math.max(largest, row[unit]);
            }
            dead += largest == 0 ? 1 : 0;
        }
        assertEquals(List.of("0"), fieldNames(last.get("dead_relu_fraction")), "ReLU layers only");
        assertEquals(dead / 24.0, last.get("dead_relu_fraction").get("0").asDouble(), 1e-12);
    }

    private static INDArray features(Path csv) throws IOException {
        List<String> rows = Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size());
        float[][] features = new float[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            String[] fields = rows.get(r).split(",");
            features[r] = new float[fields.length - 1];
            for (int c = 0; c < fields.length - 1; c++) {
                features[r][c] = Float.parseFloat(fields[c]);
            }
        }
        return Nd4j.create(features);
    }

    private static double mean(double[][] values) {
        double sum = 0;
        int count = 0;
        for (double[] row : values) {
            for (double value : row) {
                sum += value;
                count++;
            }
        }
        return sum / count;
    }

    private static double sampleStd(double[][] values) {
        double mean = mean(values);
        double squares = 0;
        int count = 0;
        for (double[] row : values) {
            for (double value : row) {
                squares += (value - mean) * (value - mean);
                count++;
            }
        }
        return Math.sqrt(squares / (count - 1));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
