package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.SparkTestSession;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same spec, seed and worker count give a bit-identical model: a small CNN with every layer type
 * of conf/fashion-mnist-cnn.yaml (convolution, batch normalisation, max pooling, dense, dropout,
 * softmax output) trained twice through the job with 2 workers on a few hundred Fashion-MNIST
 * images must leave the same parameters, updater state and model.zip. What makes it so: the data
 * order is the seed's ({@code BatchPlan}), dropout draws from ND4J's per-thread generator, which
 * each rank seeds at the start of every epoch ({@code EpochRunner}), and the kernels' thread
 * splits are fixed ({@code CpuThreads}).
 */
class ReproducibleCnnTest {

    private static final String DATASET = "/usr/share/datasets/fashion-mnist/";
    /** The model card: the one entry whose bytes differ (its creation time, the runs' output folders). */
    private static final String CARD = "dptrain.json";

    @TempDir
    Path dir;

    @Test
    void twoRunsOfTheSameCnnSpecGiveTheSameModelZip() throws Exception {
        Path train = subset("train", 384);
        Path test = subset("t10k", 100);
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec(train, test, first)));
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec(train, test, second)));

        assertEquals(2, JobFixtures.summary(first).get("epochs_run").asInt());
        MultiLayerNetwork a = ModelSerializer.restoreMultiLayerNetwork(first.resolve("model.zip").toFile(), true);
        MultiLayerNetwork b = ModelSerializer.restoreMultiLayerNetwork(second.resolve("model.zip").toFile(), true);
        assertTrue(a.params().length() > 1000, "a network with " + a.params().length() + " parameters");
        assertBitEqual(a.params().toFloatVector(), b.params().toFloatVector(), "parameters");
        assertBitEqual(a.getUpdater().getStateViewArray().toFloatVector(),
                b.getUpdater().getStateViewArray().toFloatVector(), "updater state");

        Map<String, byte[]> entriesA = entries(first.resolve("model.zip"));
        Map<String, byte[]> entriesB = entries(second.resolve("model.zip"));
        assertEquals(entriesA.keySet(), entriesB.keySet());
        assertTrue(entriesA.containsKey(CARD), "entries " + entriesA.keySet());
        for (String name : entriesA.keySet()) {
            if (name.equals(CARD)) {
                assertTrue(comparableCard(entriesA.get(name)).equals(comparableCard(entriesB.get(name))),
                        "the cards differ beyond their creation time and output folders");
            } else {
                assertTrue(Arrays.equals(entriesA.get(name), entriesB.get(name)), name + " differs");
            }
        }
        assertEquals(JobFixtures.summary(first).get("test_accuracy").asDouble(),
                JobFixtures.summary(second).get("test_accuracy").asDouble());
    }

    /**
     * conf/fashion-mnist-cnn.yaml's layers, at a quarter of its widths, and its batch size, for 2
     * epochs; a validation split so validation runs too. (At the shipped widths it passes as well.)
     */
    private static String spec(Path train, Path test, Path output) {
        return """
                data:
                  format: idx
                  train: %s
                  test: %s
                  validation_fraction: 0.2
                  normalize: scale
                  scale: 255
                  shape: [1, 28, 28]
                model:
                  layers:
                    - {type: convolution, filters: 8, kernel: 3, activation: relu}
                    - {type: batch_norm}
                    - {type: pooling, pooling: max, kernel: 2}
                    - {type: convolution, filters: 16, kernel: 3, activation: relu}
                    - {type: batch_norm}
                    - {type: pooling, pooling: max, kernel: 2}
                    - {type: dense, units: 64, activation: relu}
                    - {type: dropout, dropout: 0.5}
                    - {type: output, units: 10, activation: softmax, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 64
                  epochs: 2
                  seed: 42
                  optimizer:
                    type: adam
                    learning_rate: 0.001
                    schedule: {type: cosine}
                output:
                  dir: %s
                """.formatted(train, test, output);
    }

    /** The first {@code rows} images and labels of the installed data set's {@code part}, as IDX files. */
    private Path subset(String part, int rows) throws IOException {
        Path images = dir.resolve(part + "-images-idx3-ubyte");
        copyIdx(Path.of(DATASET + part + "-images-idx3-ubyte.gz"), images, rows);
        copyIdx(Path.of(DATASET + part + "-labels-idx1-ubyte.gz"), dir.resolve(part + "-labels-idx1-ubyte"), rows);
        return images;
    }

    private static void copyIdx(Path from, Path to, int rows) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(from)));
             DataOutputStream out = new DataOutputStream(Files.newOutputStream(to))) {
            int magic = in.readInt();
            int dimensions = magic & 0xff;
            out.writeInt(magic);
            in.readInt();
            out.writeInt(rows);
            int rowBytes = 1;
            for (int d = 1; d < dimensions; d++) {
                int size = in.readInt();
                out.writeInt(size);
                rowBytes *= size;
            }
            out.write(in.readNBytes(rows * rowBytes));
        }
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> all = file.entries();
            while (all.hasMoreElements()) {
                ZipEntry entry = all.nextElement();
                try (InputStream in = file.getInputStream(entry)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    /**
     * The card without what must differ between the two runs: its creation time and the folders
     * under each run's output folder that its spec names.
     */
    private static String comparableCard(byte[] json) throws IOException {
        ObjectNode card = (ObjectNode) JobFixtures.JSON.readTree(json);
        assertTrue(card.hasNonNull("created_at"), "a card with its creation time");
        card.remove("created_at");
        for (String section : new String[] {"output", "checkpoint", "registry"}) {
            if (card.path("spec").path(section) instanceof ObjectNode node) {
                node.remove("dir");
            }
        }
        return card.toString();
    }

    private static void assertBitEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                differing.add(i);
            }
        }
        assertTrue(differing.isEmpty(), what + ": " + differing.size() + " of " + expected.length
                + " differ, first at " + (differing.isEmpty() ? -1 : differing.get(0)));
    }
}
