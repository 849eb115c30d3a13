package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;
import java.util.Objects;

/**
 * How to train. One constructor, every component given: code that builds a spec without a file
 * takes its defaults from {@link SpecDefaults}, so no shorter constructor can choose settings silently.
 *
 * @param workers                   number of data-parallel workers (Spark barrier tasks)
 * @param batchSize                 the global mini-batch, split across workers
 * @param epochs                    number of passes over the training split
 * @param seed                      the one seed: initialisation, split, shuffling
 * @param optimizer                 the updater and its hyper-parameters
 * @param epochRetries              how often a failed epoch is relaunched from its start state
 * @param collectiveTimeoutSeconds  the longest any all-reduce wait may take before the task fails
 * @param averaging                 gradient averaging (exact) or parameter averaging
 * @param averagingFrequency        parameter averaging: local steps between averages (1 for gradients)
 * @param averageUpdaterState       parameter averaging: average the updater state too
 * @param onDivergence              stop, or roll back with half the learning rate, on a NaN/Inf loss or gradient
 * @param device                    where the executors train: cpu, gpu, or auto (a supported GPU if there is one)
 * @param allreduceEncryption       whether the all-reduce encrypts its frames: auto (as Spark encrypts), true, false
 */
public record TrainingSpec(int workers, int batchSize, int epochs, long seed, OptimizerSpec optimizer,
                           int epochRetries, int collectiveTimeoutSeconds, Averaging.Mode averaging,
                           int averagingFrequency, boolean averageUpdaterState, OnDivergence onDivergence,
                           DeviceMode device, AllReduceEncryption allreduceEncryption) {

    public TrainingSpec {
        TrainingKeys.WORKERS.check(workers);
        TrainingKeys.BATCH_SIZE.check(batchSize);
        if (batchSize < workers) {
            // every worker needs at least one example of each global mini-batch
            throw new SpecException(TrainingKeys.BATCH_SIZE.path() + ": must be >= " + TrainingKeys.WORKERS.path()
                    + " (" + workers + "), got " + batchSize);
        }
        TrainingKeys.EPOCHS.check(epochs);
        Objects.requireNonNull(optimizer, "optimizer");
        TrainingKeys.EPOCH_RETRIES.check(epochRetries);
        TrainingKeys.COLLECTIVE_TIMEOUT_SECONDS.check(collectiveTimeoutSeconds);
        Objects.requireNonNull(averaging, "averaging");
        Objects.requireNonNull(onDivergence, "onDivergence");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(allreduceEncryption, "allreduceEncryption");
        TrainingKeys.AVERAGING_FREQUENCY.check(averagingFrequency);
        if (averaging == Averaging.Mode.GRADIENTS && averagingFrequency != 1) {
            throw new SpecException("training.averaging_frequency: only used with training.averaging: parameters "
                    + "(gradients are averaged every iteration), got " + averagingFrequency);
        }
    }
}
