package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dptrain.driver.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that diverges, through the command line: exit code 3, one line naming the epoch and
 * iteration, and the finished run it continued (checkpoints, model, summary) left byte for byte
 * as it was.
 */
class DivergenceTest {

    @TempDir
    Path dir;

    /**
     * Linear regression with plain SGD at a learning rate above 2 / (largest eigenvalue of the
     * loss's Hessian, here about 2): the error grows by a constant factor every iteration, so the
     * loss overflows float32 in the third epoch, after two finite ones.
     */
    static String spec(Path train, Path output) {
        return """
                data: {format: csv, train: %s, label: y, validation_fraction: 0.2}
                model:
                  layers:
                    - {type: output, units: 1, loss: mse}
                training:
                  workers: 2
                  batch_size: 10
                  epochs: 2
                  seed: 42
                  optimizer: {type: sgd, learning_rate: 1.6}
                output: {dir: %s}
                """.formatted(train, output);
    }

    /** y = 2 x0 - x1 + 0.5 x2 + 1 plus a little noise. */
    static Path regressionCsv(Path dir, int rows) throws IOException {
        Random random = new Random(3);
        StringBuilder csv = new StringBuilder("x0,x1,x2,y\n");
        for (int r = 0; r < rows; r++) {
            double x0 = random.nextGaussian();
            double x1 = random.nextGaussian();
            double x2 = random.nextGaussian();
            double y = 2 * x0 - x1 + 0.5 * x2 + 1 + 0.05 * random.nextGaussian();
            csv.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f%n", x0, x1, x2, y));
        }
        Path file = dir.resolve("train.csv");
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void divergenceExitsThreeWithOneLineAndKeepsTheLastGoodCheckpoint() throws IOException {
        SparkTestSession.get();
        Path train = regressionCsv(dir, 200);
        Path output = dir.resolve("run");
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, spec(train, output));
        BadInputTest.Result first = BadInputTest.cli("train", spec.toString());
        assertEquals(0, first.code(), first.err());
        List<String> kept = List.of("checkpoints/checkpoint-000001.dpt", "checkpoints/checkpoint-000002.dpt",
                "model.zip", "summary.json");
        byte[][] before = new byte[kept.size()][];
        for (int i = 0; i < kept.size(); i++) {
            before[i] = Files.readAllBytes(output.resolve(kept.get(i)));
        }

        BadInputTest.Result diverged = BadInputTest.cli("train", spec.toString(), "training.epochs=4");

        assertEquals(Main.DIVERGED, diverged.code());
        assertEquals("dptrain: training diverged at epoch 3, iteration 47: loss is Infinity; the last good state is"
                + " that of epoch 2, its checkpoint is kept" + System.lineSeparator(), diverged.err());
        assertEquals("", diverged.out());
        for (int i = 0; i < kept.size(); i++) {
            assertArrayEquals(before[i], Files.readAllBytes(output.resolve(kept.get(i))), kept.get(i) + " changed");
        }
        assertFalse(Files.exists(output.resolve("checkpoints/checkpoint-000003.dpt")));
    }

    @Test
    void divergenceInTheFirstEpochSaysNoEpochFinished() throws IOException {
        SparkTestSession.get();
        Path train = regressionCsv(dir, 200);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, spec(train, dir.resolve("run")));

        BadInputTest.Result diverged = BadInputTest.cli("train", spec.toString(),
                "training.optimizer.learning_rate=1e6");

        assertEquals(Main.DIVERGED, diverged.code());
        assertEquals("dptrain: training diverged at epoch 1, iteration 3: loss is Infinity; no epoch finished before"
                + " it" + System.lineSeparator(), diverged.err());
        assertFalse(Files.exists(dir.resolve("run/checkpoints/checkpoint-000001.dpt")));
    }
}
