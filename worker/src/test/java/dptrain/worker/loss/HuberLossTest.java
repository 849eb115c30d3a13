package dptrain.worker.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Huber loss values and gradients against a hand computation, and its life in a model file. */
class HuberLossTest {

    // two examples, two outputs; errors (output - label): [0.5, -3], [2, 0]
    private static final INDArray OUTPUT = Nd4j.create(new float[] {1.5f, -1f, 2f, 4f}, new long[] {2, 2}, 'c');
    private static final INDArray LABELS = Nd4j.create(new float[] {1f, 2f, 0f, 4f}, new long[] {2, 2}, 'c');

    @Test
    void scoresAreQuadraticInsideDeltaAndLinearOutsideAveragedOverOutputs() {
        HuberLoss loss = new HuberLoss(1.0);
        // example 0: 0.5 * 0.5^2 = 0.125 and 1 * (3 - 0.5) = 2.5 -> (0.125 + 2.5) / 2 = 1.3125
        // example 1: 1 * (2 - 0.5) = 1.5 and 0 -> 0.75
        INDArray perExample = loss.computeScoreArray(LABELS, OUTPUT.dup(), new ActivationIdentity(), null);
        assertArrayEquals(new float[] {1.3125f, 0.75f}, perExample.toFloatVector(), 1e-6f);
        assertEquals(2.0625, loss.computeScore(LABELS, OUTPUT.dup(), new ActivationIdentity(), null, false), 1e-6);
        assertEquals(1.03125, loss.computeScore(LABELS, OUTPUT.dup(), new ActivationIdentity(), null, true), 1e-6);
    }

    @Test
    void deltaScalesTheLinearPart() {
        // delta 2: example 0: 0.125 and 2 * (3 - 1) = 4 -> 2.0625; example 1: 0.5 * 4 = 2 and 0 -> 1
        INDArray perExample = new HuberLoss(2.0).computeScoreArray(LABELS, OUTPUT.dup(), new ActivationIdentity(),
                null);
        assertArrayEquals(new float[] {2.0625f, 1f}, perExample.toFloatVector(), 1e-6f);
    }

    @Test
    void gradientIsTheClippedErrorOverTheOutputCount() {
        // clip([0.5, -3, 2, 0], -1, 1) / 2
        INDArray gradient = new HuberLoss(1.0).computeGradient(LABELS, OUTPUT.dup(), new ActivationIdentity(), null);
        assertArrayEquals(new float[] {0.25f, -0.5f, 0.5f, 0f}, gradient.ravel().toFloatVector(), 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        HuberLoss loss = new HuberLoss(0.7);
        INDArray pre = Nd4j.create(new double[] {0.3, -1.2, 2.5, 0.1, -0.4, 1.9}, new long[] {2, 3}, 'c');
        INDArray labels = Nd4j.create(new double[] {0.1, 0.5, 0.2, 0.0, -2.0, 1.7}, new long[] {2, 3}, 'c');
        INDArray gradient = loss.computeGradient(labels, pre.dup(), new org.nd4j.linalg.activations.impl.ActivationTanH(),
                null);
        double h = 1e-6;
        for (int i = 0; i < pre.length(); i++) {
            INDArray plus = pre.dup();
            plus.putScalar(i, pre.getDouble(i) + h);
            INDArray minus = pre.dup();
            minus.putScalar(i, pre.getDouble(i) - h);
            double numeric = (loss.computeScore(labels, plus, new org.nd4j.linalg.activations.impl.ActivationTanH(),
                    null, false) - loss.computeScore(labels, minus,
                    new org.nd4j.linalg.activations.impl.ActivationTanH(), null, false)) / (2 * h);
            assertEquals(numeric, gradient.getDouble(i), 1e-6, "element " + i);
        }
    }

    @Test
    void survivesTheConfigurationJsonAndAModelFile() throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new HuberLoss(1.5)).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build())
                .build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(new HuberLoss(1.5), ((OutputLayer) back.getConf(1).getLayer()).getLossFn());

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(file.toByteArray()));
        assertEquals(new HuberLoss(1.5), ((OutputLayer) restored.getLayerWiseConfigurations().getConf(1).getLayer())
                .getLossFn());
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3);
        assertArrayEquals(net.output(x).ravel().toFloatVector(), restored.output(x).ravel().toFloatVector(), 0f);
    }
}
