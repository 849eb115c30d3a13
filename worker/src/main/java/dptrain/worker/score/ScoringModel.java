package dptrain.worker.score;

import java.io.Serializable;
import java.util.Objects;

/**
 * A trained network as it travels to the executors for scoring (broadcast once per transform):
 * the DL4J configuration JSON and the flattened parameters. No updater state; scoring never trains.
 *
 * @param configurationJson DL4J {@code MultiLayerConfiguration} or {@code ComputationGraphConfiguration} JSON
 * @param params            the flattened parameters, as {@code NetworkState.params()}
 * @param featureCount      width of the input rows
 */
public record ScoringModel(String configurationJson, float[] params, int featureCount) implements Serializable {

    public ScoringModel {
        Objects.requireNonNull(configurationJson, "configurationJson");
        Objects.requireNonNull(params, "params");
        if (featureCount < 1) {
            throw new IllegalArgumentException("featureCount must be at least 1, got " + featureCount);
        }
    }
}
