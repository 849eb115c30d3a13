package dptrain.driver.engine;

import dptrain.worker.step.NetworkState;

/**
 * Everything around the loop — metrics, checkpoints, progress, early stopping — is a listener,
 * so the loop in {@link Trainer} stays one screen long. Listeners run on the driver, in
 * registration order.
 */
public interface TrainingListener {

    /** Before the first epoch of this run ({@code firstEpoch} > 1 when resuming). */
    default void onTrainingStart(int firstEpoch, int epochs) {
    }

    /** After an epoch's parameters are final and validated. */
    default void onEpochEnd(EpochEnd event) {
    }

    /** An epoch diverged and is relaunched from its start state with a smaller learning rate. */
    default void onRollback(Rollback event) {
    }

    /**
     * Asked once before every epoch (Keras' {@code stop_training}): true ends training there,
     * as if the last epoch had been reached.
     */
    default boolean stopRequested() {
        return false;
    }

    /** After the last epoch (or the stop). */
    default void onTrainingEnd(NetworkState state) {
    }

    /**
     * Once training has ended, with the state the run ends with (early stopping's best, say): what a
     * run leaves behind from it (test evaluation and summary, model export, report) listens here.
     */
    default void onResult(TrainingResult result) {
    }
}
