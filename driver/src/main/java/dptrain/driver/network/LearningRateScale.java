package dptrain.driver.network;

import dptrain.worker.schedule.ScaledSchedule;
import dptrain.worker.step.Network;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A DL4J configuration with every layer's learning rate multiplied by a factor: how a rollback
 * after a divergence trains on with a smaller step. The updater state keeps its layout (it does
 * not depend on the learning rate), so a checkpoint's state continues under the scaled
 * configuration; checkpoints store the unscaled configuration and the factor beside it.
 */
public final class LearningRateScale {

    private LearningRateScale() {
    }

    /** {@code configurationJson} itself for a factor of 1, else the same network with scaled learning rates. */
    public static String apply(String configurationJson, double scale) {
        if (scale == 1.0) {
            return configurationJson;
        }
        if (Network.isGraph(configurationJson)) {
            ComputationGraphConfiguration graph = ComputationGraphConfiguration.fromJson(configurationJson);
            List<Layer> layers = new ArrayList<>();
            for (GraphVertex vertex : graph.getVertices().values()) {
                if (vertex instanceof LayerVertex layerVertex) {
                    layers.add(layerVertex.getLayerConf().getLayer());
                }
            }
            scale(layers, scale);
            return graph.toJson();
        }
        MultiLayerConfiguration stack = MultiLayerConfiguration.fromJson(configurationJson);
        scale(stack.getConfs().stream().map(NeuralNetConfiguration::getLayer).toList(), scale);
        return stack.toJson();
    }

    private static void scale(List<Layer> layers, double scale) {
        for (Layer layer : layers) {
            if (layer instanceof BaseLayer base) {
                base.setIUpdater(scaled(base.getIUpdater(), scale, layer));
                base.setBiasUpdater(scaled(base.getBiasUpdater(), scale, layer));
            }
        }
    }

    private static IUpdater scaled(IUpdater updater, double scale, Layer layer) {
        if (updater == null || !updater.hasLearningRate()) {
            return updater;
        }
        IUpdater copy = updater.clone();
        ISchedule schedule = schedule(updater);
        if (schedule != null) {
            // the whole schedule, warm-up and decay alike, at the lower level
            copy.setLrAndSchedule(updater.getLearningRate(0, 0) * scale, ScaledSchedule.of(schedule, scale));
            return copy;
        }
        if (updater.getLearningRate(0, 0) != updater.getLearningRate(1_000_000, 1_000)) {
            throw new IllegalStateException("layer " + layer.getLayerName()
                    + ": cannot scale a learning-rate schedule after a divergence");
        }
        copy.setLrAndSchedule(updater.getLearningRate(0, 0) * scale, null);
        return copy;
    }

    /**
     * The updater's learning-rate schedule, or {@code null}. {@code IUpdater} has no getter for it,
     * but every DL4J updater with a learning rate (and dptrain's {@code Momentum}) has the bean
     * property {@code learningRateSchedule}.
     */
    private static ISchedule schedule(IUpdater updater) {
        try {
            return (ISchedule) updater.getClass().getMethod("getLearningRateSchedule").invoke(updater);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
