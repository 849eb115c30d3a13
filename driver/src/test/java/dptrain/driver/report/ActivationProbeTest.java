package dptrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Activation statistics against hand-made networks: dead units counted, ReLU layers only, graphs too. */
class ActivationProbeTest {

    private static final int ROWS = 40;
    private static final int FEATURES = 3;

    private static float[] features() {
        float[] values = new float[ROWS * FEATURES];
        Random random = new Random(9);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static MultiLayerConfiguration stack() {
        return new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    @Test
    void unitsThatAreZeroForEveryProbeRowAreDead() {
        MultiLayerNetwork net = new MultiLayerNetwork(stack());
        net.init();
        // Units 0 and 5 of the ReLU layer get a bias no probe row can overcome: 2 of 8 dead.
        INDArray bias = net.getLayer(0).getParam("b");
        bias.putScalar(0, -1000);
        bias.putScalar(5, -1000);
        NetworkState state = NetworkState.capture(Network.of(net));
        float[] features = features();

        List<ActivationProbe.LayerStatistics> layers = new ActivationProbe(stack().toJson(), features, ROWS, FEATURES)
                .measure(state);

        assertEquals(2, layers.size());
        assertEquals("0", layers.get(0).layer());
        assertEquals(0.25, layers.get(0).deadReluFraction(), 0.0);
        assertTrue(Double.isNaN(layers.get(1).deadReluFraction()), "softmax is not ReLU");
        INDArray hidden = net.feedForward(Nd4j.create(features, new long[] {ROWS, FEATURES}, 'c'), false).get(1);
        assertEquals(hidden.meanNumber().doubleValue(), layers.get(0).mean(), 1e-6);
        assertEquals(hidden.stdNumber().doubleValue(), layers.get(0).std(), 1e-6);
        assertEquals(0.5, layers.get(1).mean(), 1e-6, "softmax rows sum to 1 over 2 units");
    }

    @Test
    void graphLayersAreNamedByVertex() {
        ComputationGraphConfiguration configuration = new NeuralNetConfiguration.Builder().seed(4).graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(FEATURES).nOut(8).activation(Activation.RELU).build(),
                        "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(configuration);
        graph.init();
        graph.getLayer("hidden").getParam("b").putScalar(3, -1000);
        float[] features = features();

        List<ActivationProbe.LayerStatistics> layers = new ActivationProbe(configuration.toJson(), features, ROWS,
                FEATURES).measure(NetworkState.capture(Network.of(graph)));

        assertEquals(List.of("hidden", "out"), layers.stream().map(ActivationProbe.LayerStatistics::layer).toList());
        assertEquals(0.125, layers.get(0).deadReluFraction(), 0.0);
        INDArray hidden = graph.feedForward(Nd4j.create(features, new long[] {ROWS, FEATURES}, 'c'), false)
                .get("hidden");
        assertEquals(hidden.meanNumber().doubleValue(), layers.get(0).mean(), 1e-6);
    }

    @Test
    void convolutionLayersAreMeasuredOnFlatProbeRowsLikeTheTrainingBatches() {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(6, 6, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(configuration);
        net.init();
        float[] features = new float[ROWS * 36];
        Random random = new Random(2);
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextGaussian();
        }

        List<ActivationProbe.LayerStatistics> layers = new ActivationProbe(configuration.toJson(), features, ROWS, 36)
                .measure(NetworkState.capture(Network.of(net)));

        assertEquals(3, layers.size());
        INDArray convolution = net.feedForward(Nd4j.create(features, new long[] {ROWS, 36}, 'c'), false).get(1);
        assertEquals(4, convolution.rank(), "[rows, channels, height, width]");
        assertEquals(convolution.meanNumber().doubleValue(), layers.get(0).mean(), 1e-6);
        assertTrue(layers.get(0).deadReluFraction() >= 0 && layers.get(0).deadReluFraction() < 1);
        assertTrue(Double.isNaN(layers.get(1).deadReluFraction()), "pooling has no activation function");
    }
}
