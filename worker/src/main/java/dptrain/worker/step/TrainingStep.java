package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One rank's training for one epoch, one batch at a time: the epoch's loop calls {@link #step} for
 * each batch and {@link #finish} at the end, whatever the averaging mode. Built once per epoch by
 * {@link #forEpoch}, which picks the synchronizer for the averaging mode.
 */
public interface TrainingStep {

    /**
     * Runs the next iteration on this rank's part of the global batch.
     *
     * @param features   this rank's part, {@code rows x inputs}; may have 0 rows
     * @param labels     its labels, {@code rows x outputs}
     * @param globalRows rows in the whole global batch (all ranks)
     * @return the data loss (without regularisation) summed over the rows of every rank whose
     *         training this iteration made final: the global batch under gradient averaging, the
     *         rows since the last average when parameters are averaged now, else 0
     * @throws NonFiniteValueException if the loss, the averaged gradient or the averaged
     *                                 parameters are not finite (on every rank alike)
     */
    double step(INDArray features, INDArray labels, int globalRows);

    /** Leaves the network holding the epoch's parameters and updater state, for capture. */
    void finish();

    /**
     * The step for an epoch of {@code iterations} iterations that starts from the network's
     * iteration and epoch counters.
     *
     * @param statistics where every rank records gradient norms, update ratios and probes
     */
    static TrainingStep forEpoch(Network net, Collective collective, StepSettings settings, StepStatistics statistics,
                                 int iterations) {
        return switch (settings.averaging().mode()) {
            case GRADIENTS -> new GradientAveraging(net, collective, settings.clipping(), statistics);
            case PARAMETERS -> new ParameterAveraging(net, collective, settings.clipping(), statistics,
                    settings.averaging(), iterations);
        };
    }
}
