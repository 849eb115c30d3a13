package dptrain.driver.dl4j;

import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J network a {@code SparkDl4jMultiLayer} or {@code SparkComputationGraph} holds, as the
 * TrainingMaster uses it: where an epoch starts (its configuration, state and seed), whether the
 * DataSets fit it, and where the trained state goes back (into the same object, so the caller's
 * references see it).
 */
final class CallersNetwork {

    private final Model model;
    private final Network net;

    /** @throws IllegalArgumentException for a graph with several inputs or outputs */
    CallersNetwork(Model model) {
        this.model = model;
        this.net = Network.of(model);
    }

    String configurationJson() {
        return model instanceof ComputationGraph graph ? graph.getConfiguration().toJson()
                : ((MultiLayerNetwork) model).getLayerWiseConfigurations().toJson();
    }

    /** The configuration's own seed (the default shuffling seed). */
    long configuredSeed() {
        if (model instanceof ComputationGraph graph) {
            return graph.getConfiguration().getDefaultConfiguration().getSeed();
        }
        return ((MultiLayerNetwork) model).getLayerWiseConfigurations().getConf(0).getSeed();
    }

    NetworkState state() {
        return NetworkState.capture(net);
    }

    /** The configured learning rate at (iteration, epoch). */
    double learningRate(int iteration, int epoch) {
        return net.learningRate(iteration, epoch);
    }

    /**
     * The trained state, into the caller's network in place: parameters and updater state are
     * assigned into the existing arrays (views of them stay valid), the iteration count is set.
     * The epoch count is left alone: {@code SparkDl4jMultiLayer.fit} increments it after this.
     */
    void writeBack(NetworkState end, double loss) {
        net.params().assign(Nd4j.create(end.params(), new long[] {1, end.params().length}, 'c'));
        INDArray updaterState = net.updater().getStateViewArray();
        if (end.updaterState().length > 0) {
            updaterState.assign(Nd4j.create(end.updaterState(), new long[] {1, end.updaterState().length}, 'c'));
        }
        net.setIterationCount(end.iteration());
        if (model instanceof MultiLayerNetwork stack) {
            stack.setScore(loss);
        } else {
            ((ComputationGraph) model).setScore(loss);
        }
    }

    /**
     * The network must take the DataSets' feature rows and give one output row their labels fit:
     * one forward pass of a zero example on the driver (any layer's own width check applies), then
     * the output width against the label width (1, the class index, for a sparse loss).
     */
    void checkTakes(DataSetShards.Census census) {
        INDArray output;
        try {
            output = net.output(Nd4j.zeros(net.params().dataType(), 1, census.featureWidth()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the DataSets have " + census.featureWidth() + " feature columns,"
                    + " which the network does not take: " + firstLine(e), e);
        }
        if (output.rank() != 2) {
            throw new IllegalArgumentException("the network's output for one example has shape "
                    + Arrays.toString(output.shape()) + "; AllReduceTrainingMaster trains networks whose"
                    + " output is one row per example");
        }
        long outputs = output.columns();
        if (net.sparseLabels() && census.labelWidth() != 1) {
            throw new IllegalArgumentException("the DataSets have " + census.labelWidth() + " label columns, but"
                    + " the network's sparse loss (LossSparseMCXENT) takes one, the class index");
        }
        if (!net.sparseLabels() && census.labelWidth() != outputs) {
            throw new IllegalArgumentException("the DataSets have " + census.labelWidth() + " label columns, but"
                    + " the network's output layer gives " + outputs);
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
