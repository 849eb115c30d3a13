package dptrain.driver.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dptrain.worker.schedule.ScaledSchedule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** A rollback's smaller step: every layer's learning rate (or schedule) scaled, nothing else changed. */
class LearningRateScaleTest {

    private static MultiLayerConfiguration stack(NeuralNetConfiguration.Builder builder) {
        return builder.seed(1).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
    }

    private static double learningRate(MultiLayerConfiguration configuration, int layer) {
        return ((BaseLayer) configuration.getConf(layer).getLayer()).getIUpdater().getLearningRate(0, 0);
    }

    @Test
    void everyLayerOfAStackTrainsAtTheScaledRate() {
        String json = stack(new NeuralNetConfiguration.Builder().updater(new Adam(0.004)).biasUpdater(new Adam(0.008))).toJson();

        MultiLayerConfiguration scaled = MultiLayerConfiguration.fromJson(LearningRateScale.apply(json, 0.25));

        assertEquals(0.001, learningRate(scaled, 0), 1e-15);
        assertEquals(0.001, learningRate(scaled, 1), 1e-15);
        Adam adam = (Adam) ((BaseLayer) scaled.getConf(0).getLayer()).getIUpdater();
        assertEquals(0.9, adam.getBeta1(), 0.0, "the rest of the updater is unchanged");
        assertEquals(0.002, ((BaseLayer) scaled.getConf(0).getLayer()).getBiasUpdater().getLearningRate(0, 0),
                1e-15, "the bias updater too");
    }

    @Test
    void scaleOneIsTheSameText() {
        String json = stack(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1))).toJson();

        assertSame(json, LearningRateScale.apply(json, 1.0));
    }

    @Test
    void graphLayersAreScaled() {
        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build(), "in")
                .setOutputs("out").build();

        ComputationGraphConfiguration scaled = ComputationGraphConfiguration.fromJson(
                LearningRateScale.apply(graph.toJson(), 0.5));

        BaseLayer out = (BaseLayer) ((LayerVertex) scaled.getVertices().get("out")).getLayerConf().getLayer();
        assertEquals(0.05, out.getIUpdater().getLearningRate(0, 0), 1e-15);
    }

    @Test
    void aScheduleKeepsItsShapeAtTheScaledHeight() {
        ExponentialSchedule schedule = new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.99);
        String json = stack(new NeuralNetConfiguration.Builder().updater(new Sgd(schedule))).toJson();

        MultiLayerConfiguration scaled = MultiLayerConfiguration.fromJson(LearningRateScale.apply(json, 0.5));

        IUpdater updater = ((BaseLayer) scaled.getConf(1).getLayer()).getIUpdater();
        for (int iteration : new int[] {0, 1, 10, 500}) {
            assertEquals(0.5 * schedule.valueAt(iteration, 0), updater.getLearningRate(iteration, 0), 1e-15);
        }
        // a second rollback halves again, still one factor on the original schedule
        MultiLayerConfiguration twice = MultiLayerConfiguration.fromJson(
                LearningRateScale.apply(scaled.toJson(), 0.5));
        Sgd sgd = (Sgd) ((BaseLayer) twice.getConf(0).getLayer()).getIUpdater();
        assertEquals(new ScaledSchedule(0.25, schedule), sgd.getLearningRateSchedule());
    }
}
