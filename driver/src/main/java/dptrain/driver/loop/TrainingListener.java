package dptrain.driver.loop;

import dptrain.worker.step.NetworkState;

/**
 * Everything around the loop — metrics, checkpoints, progress — is a listener, so the loop in
 * {@link Trainer} stays one screen long. Listeners run on the driver, in registration order.
 */
public interface TrainingListener {

    /** Before the first epoch of this run ({@code firstEpoch} > 1 when resuming). */
    default void onTrainingStart(int firstEpoch, int epochs) {
    }

    /** After an epoch's parameters are final and validated. */
    default void onEpochEnd(EpochEnd event) {
    }

    /** After the last epoch. */
    default void onTrainingEnd(NetworkState state) {
    }
}
