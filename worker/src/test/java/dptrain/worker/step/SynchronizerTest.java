package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
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

    /** Every optimizer the spec offers takes the fused update, with L2 and the spec's weight decay. */
    @Test
    void everyOptimizerOfTheSpecTakesTheFusedUpdate() {
        for (IUpdater updater : new IUpdater[] {new Sgd(0.1), new Momentum(0.05, 0.9), new Nesterovs(0.05, 0.9),
                new RmsProp(0.01, 0.95, 1e-8), new Adam(0.01), new AdaGrad(0.1, 1e-6)}) {
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(TinyNetworks.classifier(updater, 1e-3, 3));
            for (NeuralNetConfiguration layer : conf.getConfs()) {
                BaseLayer base = (BaseLayer) layer.getLayer();
                List<Regularization> weights = new ArrayList<>(base.getRegularization());
                weights.add(new WeightDecay(1e-2, true));
                base.setRegularization(weights);
            }
            Network net = Network.fromJson(conf.toJson());
            net.init();
            Synchronizer step = forEpoch(net, StepSettings.DEFAULT);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, ROWS, TinyNetworks.CLASSES);
            for (int row = 0; row < ROWS; row++) {
                labels.putScalar(row, row % TinyNetworks.CLASSES, 1f);
            }
            step.step(Nd4j.rand(DataType.FLOAT, ROWS, TinyNetworks.INPUTS), labels, ROWS);
            assertEquals(FusedParameterUpdate.class, step.updateKind(), updater.toString());
        }
    }

    private static Synchronizer forEpoch(Network net, StepSettings settings) {
        return (Synchronizer) TrainingStep.forEpoch(net, SharedMemoryCollective.group(1)[0], settings,
                new StepStatistics(0), 4);
    }
}
