package dptrain.driver.engine;

import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
import java.util.List;

/** Runs one epoch on all ranks, starting from a state, and returns every rank's report. */
@FunctionalInterface
public interface EpochLauncher {

    /**
     * @param attempt           1-based attempt number of this epoch (a relaunch gets a new session,
     *                          so stragglers of an earlier attempt cannot join it)
     * @param learningRateScale factor on the configured learning rate (1 unless a divergence was
     *                          rolled back)
     */
    List<EpochReport> run(NetworkState start, int attempt, double learningRateScale);
}
