package dptrain.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fashion-MNIST from its IDX files (gzip or plain), pixels divided by 255 as dptrain's shipped
 * spec does ({@code normalize: scale, scale: 255}).
 *
 * @param features row-major {@code rows x 784} float32
 * @param labels   class indices 0..9
 */
record FashionMnist(float[] features, int[] labels) {

    static final int FEATURES = 784;
    static final int CLASSES = 10;
    static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    static FashionMnist train(Path dir) {
        return read(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
    }

    static FashionMnist test(Path dir) {
        return read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    int rows() {
        return labels.length;
    }

    static FashionMnist read(Path images, Path labelsFile) {
        try (DataInputStream in = open(images); DataInputStream labelIn = open(labelsFile)) {
            if (in.readInt() != 0x803 || labelIn.readInt() != 0x801) {
                throw new IllegalArgumentException("not an IDX image/label pair: " + images + ", " + labelsFile);
            }
            int rows = in.readInt();
            int pixels = in.readInt() * in.readInt();
            if (pixels != FEATURES || labelIn.readInt() != rows) {
                throw new IllegalArgumentException("unexpected shape in " + images);
            }
            byte[] raw = in.readNBytes(rows * pixels);
            byte[] rawLabels = labelIn.readNBytes(rows);
            float[] features = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                features[i] = (raw[i] & 0xff) / 255f;
            }
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = rawLabels[i];
            }
            return new FashionMnist(features, labels);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + images + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in);
    }

    /** A seeded permutation of the rows (a fresh one per epoch, as every trainer here shuffles). */
    int[] shuffledOrder(long seed) {
        int[] order = new int[rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Mini-batches of {@code batchSize} rows in {@code order}; the last one may be smaller. */
    List<DataSet> batches(int[] order, int batchSize) {
        List<DataSet> batches = new ArrayList<>((order.length + batchSize - 1) / batchSize);
        for (int from = 0; from < order.length; from += batchSize) {
            int count = Math.min(batchSize, order.length - from);
            batches.add(batch(order, from, count));
        }
        return batches;
    }

    DataSet batch(int[] order, int from, int count) {
        float[] x = new float[count * FEATURES];
        float[] y = new float[count * CLASSES];
        for (int i = 0; i < count; i++) {
            int row = order[from + i];
            System.arraycopy(features, row * FEATURES, x, i * FEATURES, FEATURES);
            y[i * CLASSES + labels[row]] = 1f;
        }
        INDArray xs = Nd4j.create(x, new long[] {count, FEATURES}, 'c');
        INDArray ys = Nd4j.create(y, new long[] {count, CLASSES}, 'c');
        return new DataSet(xs, ys);
    }

    int[] identityOrder() {
        int[] order = new int[rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }
}
