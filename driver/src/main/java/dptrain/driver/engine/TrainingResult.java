package dptrain.driver.engine;

import dptrain.worker.step.NetworkState;

/**
 * A finished {@link DistributedTrainer#fit}: what each front end turns into its own result (a
 * {@code model.zip} and {@code summary.json}, a fitted Spark ML model, the caller's DL4J network).
 *
 * @param configurationJson the DL4J configuration the states run under
 * @param seed              the seed the run shuffled with
 * @param start             the state training started from
 * @param last              the state after the last epoch trained
 * @param state             the state the run ends with: {@code last}, or with early stopping the best epoch's
 * @param trainLosses       the mean training loss of every epoch this run trained, in order
 * @param lastEpoch         the last epoch's event, or {@code null} when no epoch was left to train
 */
public record TrainingResult(String configurationJson, long seed, NetworkState start, NetworkState last,
                             NetworkState state, double[] trainLosses, EpochEnd lastEpoch) {

    /** Epochs this run trained (a resumed run counts only its own). */
    public int epochsRun() {
        return last.epoch() - start.epoch();
    }
}
