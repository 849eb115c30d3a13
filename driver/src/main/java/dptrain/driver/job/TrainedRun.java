package dptrain.driver.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.config.Task;
import dptrain.driver.data.PreparedData;
import dptrain.worker.step.NetworkState;

/**
 * A finished {@link TrainJob} run, with what a comparison on the same rows needs: the prepared
 * (cached) data and the network configuration the result runs under.
 *
 * @param summary       what {@code summary.json} holds
 * @param data          the prepared splits and test set
 * @param configuration the DL4J configuration JSON of the trained network
 * @param end           the trained state (with early stopping: the best epoch's)
 * @param task          classification or regression
 * @param classes       output classes (0 for regression)
 * @param binary        whether the output is one sigmoid unit per class (binary cross-entropy)
 */
record TrainedRun(ObjectNode summary, PreparedData data, String configuration, NetworkState end, Task task,
                  int classes, boolean binary) {
}
