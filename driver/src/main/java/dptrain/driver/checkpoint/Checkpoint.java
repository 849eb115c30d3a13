package dptrain.driver.checkpoint;

import dptrain.worker.step.NetworkState;

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
 */
public record Checkpoint(NetworkState state, String configurationJson, String specJson, long seed, String createdAt,
                         String version) {
}
