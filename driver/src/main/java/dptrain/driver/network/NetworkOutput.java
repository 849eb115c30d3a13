package dptrain.driver.network;

import dptrain.driver.BadInputException;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.Task;
import dptrain.driver.data.LabelEncoding;
import dptrain.worker.loss.HuberLoss;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * What the job needs to know of a network's output layer: its loss (classification or
 * regression, how labels are encoded and evaluated) and its width. Comes from the spec's output
 * layer, or from the output layer of a {@code model.dl4j_json} configuration.
 *
 * @param loss    the loss, as the spec names it
 * @param outputs output units (classes for the cross-entropies)
 */
public record NetworkOutput(Loss loss, int outputs) {

    public static NetworkOutput of(LayerSpec outputLayer) {
        return new NetworkOutput(outputLayer.loss(), outputLayer.units());
    }

    /**
     * The output of a DL4J configuration JSON (a graph's first output).
     *
     * @param path where the JSON came from, for the error message
     * @throws BadInputException if there is no output layer or its loss is not one the trainer evaluates
     */
    public static NetworkOutput of(String configurationJson, String path) {
        Layer output = outputLayer(configurationJson);
        if (!(output instanceof BaseOutputLayer layer)) {
            throw new BadInputException("model.dl4j_json: " + path + " must end in an output layer (a layer with"
                    + " a loss function), got " + (output == null ? "none" : output.getClass().getSimpleName()));
        }
        return new NetworkOutput(loss(layer.getLossFn(), path), Math.toIntExact(layer.getNOut()));
    }

    private static Layer outputLayer(String json) {
        if (dptrain.worker.step.Network.isGraph(json)) {
            ComputationGraphConfiguration graph = ComputationGraphConfiguration.fromJson(json);
            if (graph.getNetworkOutputs().size() != 1) {
                return null;
            }
            GraphVertex vertex = graph.getVertices().get(graph.getNetworkOutputs().get(0));
            return vertex instanceof LayerVertex layer ? layer.getLayerConf().getLayer() : null;
        }
        MultiLayerConfiguration stack = MultiLayerConfiguration.fromJson(json);
        return stack.getConfs().isEmpty() ? null : stack.getConf(stack.getConfs().size() - 1).getLayer();
    }

    /** The spec's name for a DL4J loss; subclasses first (LossMSE is an L2, LossMAE an L1). */
    private static Loss loss(ILossFunction loss, String path) {
        if (loss instanceof LossSparseMCXENT) {
            return Loss.SPARSE_MCXENT;
        }
        if (loss instanceof LossMCXENT) {
            return Loss.MCXENT;
        }
        if (loss instanceof LossBinaryXENT) {
            return Loss.BCE;
        }
        if (loss instanceof LossL2) {
            return Loss.MSE;
        }
        if (loss instanceof LossL1) {
            return Loss.MAE;
        }
        if (loss instanceof HuberLoss) {
            return Loss.HUBER;
        }
        throw new BadInputException("model.dl4j_json: " + path + ": the output loss " + loss
                + " is not supported; use one of LossMCXENT, LossSparseMCXENT, LossBinaryXENT, LossMSE, LossL2,"
                + " LossMAE, LossL1, " + HuberLoss.class.getName());
    }

    public Task task() {
        return loss.task();
    }

    /** Classes of a multi-class output (one-hot width), or 0 for regression and binary outputs. */
    public int classes() {
        return loss == Loss.MCXENT || loss == Loss.SPARSE_MCXENT ? outputs : 0;
    }

    public boolean binary() {
        return loss == Loss.BCE;
    }

    public LabelEncoding labelEncoding() {
        return switch (loss) {
            case MCXENT, SPARSE_MCXENT -> new LabelEncoding.ClassIndices(outputs);
            case BCE -> new LabelEncoding.ClassIndices(2);
            case MSE, MAE, HUBER -> new LabelEncoding.Values(outputs);
        };
    }
}
