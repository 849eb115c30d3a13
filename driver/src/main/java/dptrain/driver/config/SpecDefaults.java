package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;

/**
 * The job spec's defaults for code outside this package that builds specs or settings without a spec
 * file (the Spark ML estimators, the TrainingMaster drop-in, data preparation). Every value is read
 * from its key's declaration ({@link SpecKey#defaultValue}), the one place a default is written.
 */
public final class SpecDefaults {

    public static final double SCALE = DataKeys.SCALE.defaultValue();
    /** LibSVM feature count: 0 means "infer from the data". */
    public static final int NUM_FEATURES = DataKeys.NUM_FEATURES.defaultValue();

    public static final double L2 = ModelKeys.L2.defaultValue();
    /** The activation of hidden layers when none is given. */
    public static final Activation HIDDEN_ACTIVATION = LayerKeys.HIDDEN_ACTIVATION;

    public static final int WORKERS = TrainingKeys.WORKERS.defaultValue();
    public static final int BATCH_SIZE = TrainingKeys.BATCH_SIZE.defaultValue();
    public static final int EPOCHS = TrainingKeys.EPOCHS.defaultValue();
    public static final long SEED = TrainingKeys.SEED.defaultValue();
    public static final int EPOCH_RETRIES = TrainingKeys.EPOCH_RETRIES.defaultValue();
    public static final int COLLECTIVE_TIMEOUT_SECONDS = TrainingKeys.COLLECTIVE_TIMEOUT_SECONDS.defaultValue();
    public static final Averaging.Mode AVERAGING = TrainingKeys.AVERAGING.defaultValue();
    public static final int AVERAGING_FREQUENCY = TrainingKeys.AVERAGING_FREQUENCY.defaultValue();
    public static final boolean AVERAGE_UPDATER_STATE = TrainingKeys.AVERAGE_UPDATER_STATE.defaultValue();
    public static final OnDivergence ON_DIVERGENCE = TrainingKeys.ON_DIVERGENCE.defaultValue();
    public static final DeviceMode DEVICE = TrainingKeys.DEVICE.defaultValue();
    public static final AllReduceEncryption ALLREDUCE_ENCRYPTION = TrainingKeys.ALLREDUCE_ENCRYPTION.defaultValue();

    public static final OptimizerType OPTIMIZER = OptimizerKeys.TYPE.defaultValue();
    public static final double MOMENTUM = OptimizerKeys.MOMENTUM.defaultValue();
    public static final double BETA1 = OptimizerKeys.BETA1.defaultValue();
    public static final double BETA2 = OptimizerKeys.BETA2.defaultValue();
    public static final double EPSILON = OptimizerKeys.EPSILON.defaultValue();
    public static final double RHO = OptimizerKeys.RHO.defaultValue();
    public static final double CLIP_NORM = OptimizerKeys.CLIP_NORM.defaultValue();
    public static final double CLIP_VALUE = OptimizerKeys.CLIP_VALUE.defaultValue();

    private SpecDefaults() {
    }

    /** The learning rate of each optimizer when none is given. */
    public static double learningRate(OptimizerType type) {
        return OptimizerKeys.learningRate(type);
    }

    /** An optimizer of {@code type} with every hyper-parameter at its default. */
    public static OptimizerSpec optimizer(OptimizerType type) {
        return OptimizerKeys.defaults(type);
    }
}
