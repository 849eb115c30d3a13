package dptrain.driver.checkpoint;

import dptrain.worker.step.NetworkState;
import java.util.Map;

/**
 * Everything needed to continue a run exactly: the training state plus what it was trained
 * with, so a resume can refuse a checkpoint of a different model.
 *
 * @param state             parameters, updater state, iteration and epoch counts
 * @param configurationJson the DL4J network configuration the state belongs to
 * @param specJson          the resolved job spec of the run that wrote it (provenance)
 * @param seed              the run's seed
 * @param createdAt         ISO-8601 time of writing
 * @param version           dptrain version that wrote it
 * @param learningRateScale factor on the configuration's learning rate the state was trained
 *                          with (1 unless a divergence was rolled back); training continues with it
 * @param metrics           the epoch's metrics ({@code train_loss}, {@code val_loss}, ...), for
 *                          early stopping's best state; may be empty
 */
public record Checkpoint(NetworkState state, String configurationJson, String specJson, long seed, String createdAt,
                         String version, double learningRateScale, Map<String, Double> metrics) {

    public Checkpoint {
        metrics = Map.copyOf(metrics);
    }

    /** A checkpoint trained at the configured learning rate, without metrics. */
    public Checkpoint(NetworkState state, String configurationJson, String specJson, long seed, String createdAt,
                      String version) {
        this(state, configurationJson, specJson, seed, createdAt, version, 1.0, Map.of());
    }
}
