package dptrain.driver.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.BadInputException;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.SpecException;
import dptrain.driver.config.SpecLoader;
import dptrain.worker.loss.HuberLoss;
import dptrain.worker.testing.TinyNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitNormal;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.deeplearning4j.nn.weights.WeightInitUniform;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossHinge;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/** Spec layers become the DL4J layers, shapes and settings they name. */
class NetworkFactoryTest {

    private static final String IMAGES = """
            data: {format: idx, train: /data/train-images-idx3-ubyte, shape: [1, 28, 28]}
            output: {dir: /tmp/run}
            model:
              layers:
            """;

    private static MultiLayerConfiguration build(String layers, String... overrides) {
        JobSpec spec = SpecLoader.parse(IMAGES + layers, "spec.yaml", List.of(overrides));
        return NetworkFactory.configuration(spec.model(), spec.training().optimizer(), spec.data().shape(), 784,
                spec.training().seed());
    }

    private static List<Class<?>> layerClasses(MultiLayerConfiguration conf) {
        return conf.getConfs().stream().<Class<?>>map(c -> c.getLayer().getClass()).toList();
    }

    @Test
    void theShippedCnnIsTwoConvolutionsWithBatchNormAndPoolingThenDenseDropoutAndSoftmax() throws Exception {
        JobSpec spec = SpecLoader.load(Path.of(System.getProperty("user.dir")).resolveSibling("conf")
                .resolve("fashion-mnist-cnn.yaml"), List.of());
        // its cosine schedule runs over the whole run: 12 epochs of 938 iterations (60,000 rows, no validation split)
        assertEquals(0.0, spec.data().validationFraction());
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec.model(),
                spec.training().optimizer().forRun(12 * 938), spec.data().shape(), 784, spec.training().seed());
        assertEquals(List.of(ConvolutionLayer.class, BatchNormalization.class, SubsamplingLayer.class,
                ConvolutionLayer.class, BatchNormalization.class, SubsamplingLayer.class, DenseLayer.class,
                DropoutLayer.class, OutputLayer.class), layerClasses(conf));
        // flat rows in, reshaped to 1x28x28 in front of the first convolution, flattened again before dense
        assertInstanceOf(FeedForwardToCnnPreProcessor.class, conf.getInputPreProcess(0));
        assertInstanceOf(CnnToFeedForwardPreProcessor.class, conf.getInputPreProcess(6));
        // 28 -3+1-> 26 /2-> 13 -3+1-> 11 /2-> 5: 5 x 5 x 64 inputs to the dense layer
        assertEquals(32, ((BatchNormalization) conf.getConf(1).getLayer()).getNOut());
        assertEquals(64, ((BatchNormalization) conf.getConf(4).getLayer()).getNOut());
        assertEquals(5 * 5 * 64, ((DenseLayer) conf.getConf(6).getLayer()).getNIn());
        assertEquals(0.5, ((Dropout) conf.getConf(7).getLayer().getIDropout()).getP(), 1e-12,
                "DL4J keeps 1 - rate of the inputs");

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray output = net.output(Nd4j.rand(DataType.FLOAT, 3, 784));
        assertArrayEquals(new long[] {3, 10}, output.shape());
        assertEquals(3.0, output.sumNumber().doubleValue(), 1e-5, "softmax rows sum to 1");
    }

    @Test
    void samePaddingStridesAveragePoolingBatchNormAndGlobalPooling() {
        MultiLayerConfiguration conf = build("""
                    - {type: conv, filters: 4, kernel: [3, 5], stride: 2, padding: same}
                    - {type: batch_norm}
                    - {type: pooling, pooling: avg, kernel: 2, stride: 1}
                    - {type: global_pooling, pooling: max}
                    - {type: output, units: 3, loss: mcxent}
                """);
        ConvolutionLayer convolution = (ConvolutionLayer) conf.getConf(0).getLayer();
        assertArrayEquals(new int[] {3, 5}, convolution.getKernelSize());
        assertArrayEquals(new int[] {2, 2}, convolution.getStride());
        assertEquals(ConvolutionMode.Same, convolution.getConvolutionMode());
        assertEquals(4, ((BatchNormalization) conf.getConf(1).getLayer()).getNOut());
        SubsamplingLayer pooling = (SubsamplingLayer) conf.getConf(2).getLayer();
        assertEquals("AVG", pooling.getPoolingType().name());
        assertArrayEquals(new int[] {1, 1}, pooling.getStride());
        assertEquals(ConvolutionMode.Truncate, pooling.getConvolutionMode());
        assertEquals(PoolingType.MAX, ((GlobalPoolingLayer) conf.getConf(3).getLayer()).getPoolingType());
        assertEquals(4, ((OutputLayer) conf.getConf(4).getLayer()).getNIn(), "global pooling leaves one value per channel");

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertArrayEquals(new long[] {2, 3}, net.output(Nd4j.rand(DataType.FLOAT, 2, 784)).shape());
    }

    @Test
    void perLayerDropoutWeightInitsAndLosses() {
        MultiLayerConfiguration conf = build("""
                    - {type: flatten}
                    - {units: 8, dropout: 0.25, weight_init: uniform}
                    - {units: 8, activation: tanh, weight_init: normal}
                    - {units: 8}
                    - {units: 8, activation: tanh}
                    - {type: output, units: 2, loss: huber}
                """);
        List<Layer> layers = conf.getConfs().stream().map(c -> c.getLayer()).toList();
        assertEquals(5, layers.size(), "flatten adds no layer");
        assertEquals(0.75, ((Dropout) layers.get(0).getIDropout()).getP(), 1e-12);
        assertNull(layers.get(1).getIDropout());
        assertInstanceOf(WeightInitUniform.class, ((BaseLayer) layers.get(0)).getWeightInitFn());
        assertInstanceOf(WeightInitNormal.class, ((BaseLayer) layers.get(1)).getWeightInitFn());
        assertInstanceOf(WeightInitRelu.class, ((BaseLayer) layers.get(2)).getWeightInitFn(), "relu defaults to he");
        assertInstanceOf(WeightInitXavier.class, ((BaseLayer) layers.get(3)).getWeightInitFn(), "tanh defaults to xavier");
        assertEquals(new HuberLoss(), ((OutputLayer) layers.get(4)).getLossFn());

        MultiLayerConfiguration sparse = build("""
                    - {units: 8}
                    - {type: output, units: 4, loss: sparse_categorical_crossentropy}
                """);
        assertInstanceOf(LossSparseMCXENT.class, ((OutputLayer) sparse.getConf(1).getLayer()).getLossFn());
    }

    @Test
    void dataShapeMustHoldTheFeatureCount() {
        JobSpec spec = SpecLoader.parse(IMAGES + "    - {type: output, units: 2, loss: mcxent}\n", "spec.yaml",
                List.of("data.shape=[3, 28, 28]"));
        SpecException error = assertThrows(SpecException.class, () -> spec.data().checkShape(784));
        assertEquals("data.shape: [3, 28, 28] holds 2352 values per row, but the data has 784 features",
                error.getMessage());
        spec.data().checkShape(3 * 28 * 28);
    }

    @Test
    void aDl4jJsonFileIsReadCheckedAndItsOutputRecognised(@TempDir Path dir) throws Exception {
        Configuration hadoop = new Configuration();
        String graph = TinyNetworks.residualGraph(new LossSparseMCXENT(), 5, 4, 1);
        Path file = dir.resolve("graph.json");
        Files.writeString(file, graph);
        assertEquals(graph, NetworkFactory.readConfiguration(file.toUri().toString(), hadoop));
        assertEquals(new NetworkOutput(Loss.SPARSE_MCXENT, 4), NetworkOutput.of(graph, "graph.json"));
        assertEquals(4, NetworkOutput.of(graph, "graph.json").classes());

        String missing = dir.resolve("nope.json").toString();
        assertEquals("model.dl4j_json: file not found: " + missing, assertThrows(BadInputException.class,
                () -> NetworkFactory.readConfiguration(missing, hadoop)).getMessage());

        Path notDl4j = dir.resolve("other.json");
        Files.writeString(notDl4j, "{\"layers\": 3}");
        String message = assertThrows(BadInputException.class,
                () -> NetworkFactory.readConfiguration(notDl4j.toString(), hadoop)).getMessage();
        assertTrue(message.startsWith("model.dl4j_json: " + notDl4j
                + " is not a DL4J MultiLayerConfiguration or ComputationGraphConfiguration JSON ("), message);

        String hinge = TinyNetworks.residualGraph(new LossHinge(), 5, 4, 1);
        assertEquals("model.dl4j_json: hinge.json: the output loss LossHinge() is not supported; use one of"
                        + " LossMCXENT, LossSparseMCXENT, LossBinaryXENT, LossMSE, LossL2, LossMAE, LossL1,"
                        + " dptrain.worker.loss.HuberLoss",
                assertThrows(BadInputException.class, () -> NetworkOutput.of(hinge, "hinge.json")).getMessage());

        String stack = TinyNetworks.classifier(new org.nd4j.linalg.learning.config.Sgd(0.1), 0, 1);
        assertEquals(new NetworkOutput(Loss.MCXENT, TinyNetworks.CLASSES), NetworkOutput.of(stack, "stack.json"));
        assertEquals("model.dl4j_json: stack.json expects 12 inputs (nIn of its first layer), but the data has 5"
                + " features", assertThrows(BadInputException.class,
                () -> NetworkFactory.checkInputWidth(stack, "stack.json", 5)).getMessage());
        NetworkFactory.checkInputWidth(stack, "stack.json", TinyNetworks.INPUTS);
    }
}
