package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.loss.HuberLoss;
import dptrain.worker.testing.ReferenceTraining;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/** The dense fast path must give DL4J's own gradient sums and loss for every activation and loss. */
class DenseGradientsTest {

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of(Activation.RELU, Activation.SOFTMAX, LossFunction.MCXENT, 5),
                Arguments.of(Activation.TANH, Activation.SOFTMAX, LossFunction.MCXENT, 4),
                Arguments.of(Activation.LEAKYRELU, Activation.IDENTITY, LossFunction.MSE, 3),
                Arguments.of(Activation.ELU, Activation.IDENTITY, LossFunction.MEAN_ABSOLUTE_ERROR, 2),
                Arguments.of(Activation.SIGMOID, Activation.SIGMOID, LossFunction.XENT, 1),
                Arguments.of(Activation.IDENTITY, Activation.SOFTMAX, LossFunction.MCXENT, 3));
    }

    @ParameterizedTest(name = "{0} hidden, {1} + {2}")
    @MethodSource("stacks")
    void gradientSumsAndLossEqualDl4j(Activation hidden, Activation output, LossFunction lossFunction, int outputs) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).l2(1e-3).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(7).nOut(11).activation(hidden).build())
                .layer(new DenseLayer.Builder().nIn(11).nOut(6).activation(hidden).build())
                .layer(new OutputLayer.Builder(lossFunction).nIn(6).nOut(outputs).activation(output).build())
                .build();
        Network network = Network.fromJson(conf.toJson());
        network.init();
        MultiLayerNetwork net = (MultiLayerNetwork) network.model();
        Random random = new Random(5);
        for (int batch : new int[] {13, 1, 32}) {
            INDArray features = Nd4j.rand(DataType.FLOAT, batch, 7).subi(0.5).muli(4);
            INDArray labels = labels(lossFunction, batch, outputs, random);

            network.computeGradientAndScore(features, labels);
            float[] expected = net.getFlattenedGradients().toFloatVector();
            double expectedLoss = (net.score() - net.calcRegularizationScore(true)) * batch;
            net.getFlattenedGradients().assign(0);

            DenseGradients fast = DenseGradients.forNetwork(network).orElseThrow();
            double loss = fast.lossSum(features, labels);

            ReferenceTraining.assertClose(expected, net.getFlattenedGradients().toFloatVector(), 1e-6);
            assertEquals(expectedLoss, loss, 1e-5 * Math.abs(expectedLoss));
        }
    }

    /**
     * The batch assembler hands over 'c'-order arrays, but any layout must do: 'f' order, a block of
     * rows at an offset of a larger array, and every other column (no unit stride: copied first).
     */
    @Test
    void featuresInAnyLayoutGiveDl4jsGradients() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(7).nOut(11).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(11).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        Network network = Network.fromJson(conf.toJson());
        network.init();
        MultiLayerNetwork net = (MultiLayerNetwork) network.model();
        int batch = 9;
        INDArray wide = Nd4j.rand(DataType.FLOAT, batch + 4, 14).subi(0.5).muli(4);
        INDArray everyOther = wide.get(NDArrayIndex.interval(2, batch + 2), NDArrayIndex.interval(0, 2, 14));
        INDArray features = everyOther.dup('c');
        INDArray labels = labels(LossFunction.MCXENT, batch, 3, new Random(4));
        network.computeGradientAndScore(features, labels);
        float[] expected = net.getFlattenedGradients().toFloatVector();
        DenseGradients fast = DenseGradients.forNetwork(network).orElseThrow();
        INDArray tall = Nd4j.vstack(Nd4j.rand(DataType.FLOAT, 3, 7), features, Nd4j.rand(DataType.FLOAT, 2, 7));
        INDArray[] layouts = {features, features.dup('f'), tall.get(NDArrayIndex.interval(3, batch + 3),
                NDArrayIndex.all()), everyOther};
        for (INDArray layout : layouts) {
            net.getFlattenedGradients().assign(0);
            fast.lossSum(layout, labels);
            ReferenceTraining.assertClose(expected, net.getFlattenedGradients().toFloatVector(), 1e-6);
        }
    }

    @Test
    void layersItDoesNotHandleExactlyGoThroughDl4j() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        Network network = Network.fromJson(conf.toJson());
        network.init();
        network.computeGradientAndScore(Nd4j.rand(DataType.FLOAT, 3, 4), Nd4j.eye(2).getRows(0, 1, 0).castTo(DataType.FLOAT));
        assertTrue(DenseGradients.forNetwork(network).isEmpty());
        Network fresh = Network.fromJson(conf.toJson());
        fresh.init();
        assertEquals(Optional.empty(), DenseGradients.forNetwork(fresh), "no backward pass yet, no gradient views");
    }

    /** The losses dptrain adds or feeds differently: Huber (its own), sparse cross-entropy (index labels). */
    @Test
    void huberAndSparseCrossEntropyEqualDl4jToo() {
        Random random = new Random(8);
        for (boolean sparse : new boolean[] {false, true}) {
            int outputs = sparse ? 4 : 2;
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                    .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list()
                    .layer(new DenseLayer.Builder().nIn(7).nOut(9).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(sparse ? new LossSparseMCXENT() : new HuberLoss(0.5)).nIn(9)
                            .nOut(outputs).activation(sparse ? Activation.SOFTMAX : Activation.IDENTITY).build())
                    .build();
            Network network = Network.fromJson(conf.toJson());
            network.init();
            MultiLayerNetwork net = (MultiLayerNetwork) network.model();
            int batch = 11;
            INDArray features = Nd4j.rand(DataType.FLOAT, batch, 7).subi(0.5).muli(4);
            float[] values = new float[batch * (sparse ? 1 : outputs)];
            for (int i = 0; i < values.length; i++) {
                values[i] = sparse ? random.nextInt(outputs) : (float) (3 * random.nextGaussian());
            }
            INDArray labels = Nd4j.create(values, new long[] {batch, sparse ? 1 : outputs}, 'c');

            network.computeGradientAndScore(features, labels);
            float[] expected = net.getFlattenedGradients().toFloatVector();
            double expectedLoss = net.score() * batch;
            net.getFlattenedGradients().assign(0);
            double loss = DenseGradients.forNetwork(network).orElseThrow().lossSum(features, labels);

            ReferenceTraining.assertClose(expected, net.getFlattenedGradients().toFloatVector(), 1e-6);
            assertEquals(expectedLoss, loss, 1e-5 * Math.abs(expectedLoss));
        }
    }

    @Test
    void perLayerDropoutAndBatchNormalisationGoThroughDl4j() {
        MultiLayerConfiguration dropout = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(2).activation(Activation.SOFTMAX)
                        .dropOut(0.5).build())
                .build();
        MultiLayerConfiguration batchNorm = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().nIn(8).nOut(8).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        for (MultiLayerConfiguration conf : new MultiLayerConfiguration[] {dropout, batchNorm}) {
            Network network = Network.fromJson(conf.toJson());
            network.init();
            network.computeGradientAndScore(Nd4j.rand(DataType.FLOAT, 3, 4),
                    Nd4j.eye(2).getRows(0, 1, 0).castTo(DataType.FLOAT));
            assertTrue(DenseGradients.forNetwork(network).isEmpty(), conf.toJson());
        }
    }

    private static INDArray labels(LossFunction loss, int batch, int outputs, Random random) {
        float[] values = new float[batch * outputs];
        for (int r = 0; r < batch; r++) {
            if (loss == LossFunction.MCXENT) {
                values[r * outputs + random.nextInt(outputs)] = 1;
            } else if (loss == LossFunction.XENT) {
                values[r * outputs] = random.nextInt(2);
            } else {
                for (int c = 0; c < outputs; c++) {
                    values[r * outputs + c] = (float) random.nextGaussian();
                }
            }
        }
        return Nd4j.create(values, new long[] {batch, outputs}, 'c');
    }
}
