package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

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
