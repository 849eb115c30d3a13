package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dptrain.worker.testing.SharedMemoryCollective;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The step is chosen once per epoch: the averaging mode picks the synchronizer, and after DL4J's
 * first pass and first update the fast paths take over where they apply. A slip here would keep
 * every result and lose only the speed, so no test on numbers would notice.
 */
class SynchronizerTest {

    private static final int ROWS = 8;

    @Test
    void fastPathsTakeOverAfterDl4jsFirstPassAndUpdate() {
        Synchronizer step = forEpoch(StepProfile.mlp(), StepSettings.DEFAULT);
        assertInstanceOf(GradientAveraging.class, step);
        INDArray[] features = new INDArray[1];
        INDArray[] labels = new INDArray[1];
        StepProfile.randomBatches(ROWS, 1, features, labels);

        // an empty part: the update runs (and hands over), but no pass has run yet to create the views
        step.step(Nd4j.create(DataType.FLOAT, 0, 784), Nd4j.create(DataType.FLOAT, 0, 10), ROWS);
        assertNotEquals(DenseGradients.class, step.passKind());
        assertEquals(FusedParameterUpdate.class, step.updateKind());

        step.step(features[0], labels[0], ROWS);
        assertEquals(DenseGradients.class, step.passKind());
        assertEquals(FusedParameterUpdate.class, step.updateKind());
    }

    @Test
    void layersTheFastPathsDoNotHandleStayWithDl4j() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list()
                .layer(new BatchNormalization.Builder().nIn(784).nOut(784).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(784).nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .build();
        Network net = Network.fromJson(conf.toJson());
        net.init();
        Synchronizer step = forEpoch(net, new StepSettings(Averaging.parameters(2, true), GradientClipping.NONE, 0));
        assertInstanceOf(ParameterAveraging.class, step);
        INDArray[] features = new INDArray[1];
        INDArray[] labels = new INDArray[1];
        StepProfile.randomBatches(ROWS, 1, features, labels);

        step.step(features[0], labels[0], ROWS);
        assertEquals(Dl4jLayers.class, step.passKind());
        assertEquals(Dl4jParameterUpdate.class, step.updateKind());
    }

    private static Synchronizer forEpoch(Network net, StepSettings settings) {
        return (Synchronizer) TrainingStep.forEpoch(net, SharedMemoryCollective.group(1)[0], settings,
                new StepStatistics(0), 4);
    }
}
