package dptrain.driver.dl4j;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Data and networks for the dl4j-spark drop-in tests, built the way dl4j-spark users build them. */
final class Dl4jFixtures {

    /** Fashion-MNIST from Debian's dataset-fashion-mnist, as conf/fashion-mnist-mlp.yaml reads it. */
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    private Dl4jFixtures() {
    }

    /** Rows of five features and a one-hot label of three classes that depend on them. */
    record Rows(float[][] features, float[][] labels) {
        int count() {
            return features.length;
        }
    }

    static Rows synthetic(int rows, long seed) {
        Random random = new Random(seed);
        float[][] features = new float[rows][5];
        float[][] labels = new float[rows][3];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < 5; c++) {
                features[r][c] = (float) random.nextGaussian();
                sum += features[r][c] * (c - 2);
            }
            labels[r][sum < -1.5 ? 0 : sum < 1.5 ? 1 : 2] = 1f;
        }
        return new Rows(features, labels);
    }

    /** The first {@code rows} images of a Fashion-MNIST file pair, pixels scaled to [0, 1], one-hot labels. */
    static Rows fashionMnist(String images, String labels, int rows) throws IOException {
        float[][] features = new float[rows][784];
        float[][] oneHot = new float[rows][10];
        try (DataInputStream pixels = idx(FASHION.resolve(images), 0x803);
             DataInputStream classes = idx(FASHION.resolve(labels), 0x801)) {
            pixels.readInt();
            pixels.readInt();
            byte[] image = new byte[784];
            for (int r = 0; r < rows; r++) {
                pixels.readFully(image);
                for (int i = 0; i < 784; i++) {
                    features[r][i] = (image[i] & 0xff) / 255f;
                }
                oneHot[r][classes.readUnsignedByte()] = 1f;
            }
        }
        return new Rows(features, oneHot);
    }

    private static DataInputStream idx(Path file, int magic) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: install the dataset-fashion-mnist package"
                    + " (./dptrain test does)");
        }
        DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(
                new BufferedInputStream(Files.newInputStream(file)))));
        if (in.readInt() != magic) {
            in.close();
            throw new IOException(file + " is not an IDX file of magic " + Integer.toHexString(magic));
        }
        in.readInt(); // item count
        return in;
    }

    /** The rows as DataSet objects of {@code size} examples each (the last one shorter). */
    static List<DataSet> dataSets(Rows rows, int size) {
        List<DataSet> dataSets = new ArrayList<>();
        for (int from = 0; from < rows.count(); from += size) {
            int to = Math.min(rows.count(), from + size);
            dataSets.add(new DataSet(Nd4j.create(java.util.Arrays.copyOfRange(rows.features(), from, to)),
                    Nd4j.create(java.util.Arrays.copyOfRange(rows.labels(), from, to))));
        }
        return dataSets;
    }

    /** A float32 MLP: inputs-hidden(activation)-outputs(softmax, multi-class cross-entropy), L2. */
    static MultiLayerConfiguration mlp(int inputs, int hidden, int outputs, Activation activation, IUpdater updater,
                                       double l2, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .l2(l2)
                .list()
                .layer(new DenseLayer.Builder().nIn(inputs).nOut(hidden).activation(activation)
                        .weightInit(WeightInit.XAVIER).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(outputs)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build())
                .build();
    }
}
