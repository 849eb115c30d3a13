package dptrain.driver.ml;

import dptrain.driver.config.Task;
import dptrain.worker.score.ScoringModel;
import dptrain.worker.step.NetworkState;
import java.util.List;
import java.util.Objects;

/**
 * What a fit produced: the network (configuration and state) and what scoring needs to read its
 * output. Immutable; shared by a Model and its copies.
 *
 * @param configurationJson DL4J configuration JSON
 * @param state             parameters, updater state, iteration and epoch counters after training
 * @param task              classification or regression
 * @param featureCount      width of the input vectors
 * @param labelNames        class names by index (classification), empty for regression
 * @param trainLoss         mean training loss of each epoch, in order (empty for a loaded model.zip
 *                          that did not record it)
 */
public record TrainedNetwork(String configurationJson, NetworkState state, Task task, int featureCount,
                             List<String> labelNames, double[] trainLoss) {

    public TrainedNetwork {
        Objects.requireNonNull(configurationJson, "configurationJson");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(task, "task");
        labelNames = List.copyOf(labelNames);
        trainLoss = trainLoss.clone();
        if (task == Task.CLASSIFICATION && labelNames.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 label names, got " + labelNames);
        }
    }

    /** Classes of a classifier (2 for a single sigmoid output), 0 for regression. */
    public int numClasses() {
        return task == Task.CLASSIFICATION ? labelNames.size() : 0;
    }

    ScoringModel scoring() {
        return new ScoringModel(configurationJson, state.params(), featureCount);
    }
}
