package dptrain.driver.config;

import dptrain.worker.device.DeviceMode;

/**
 * Every default of the job spec, in one place; {@code docs/job-spec.md} documents them. The loader
 * fills in absent keys from here, and code that builds a {@link JobSpec} directly should too.
 */
public final class SpecDefaults {

    public static final boolean HEADER = true;
    public static final double VALIDATION_FRACTION = 0.1;
    public static final Normalization NORMALIZE = Normalization.NONE;
    public static final double SCALE = 255;
    /** LibSVM feature count: 0 means "infer from the data". */
    public static final int NUM_FEATURES = 0;

    public static final double L2 = 0.0;
    public static final LayerType LAYER_TYPE = LayerType.DENSE;
    public static final Activation HIDDEN_ACTIVATION = Activation.RELU;
    /** Dropout rate of dense, output and convolution layers: none. */
    public static final double DROPOUT = 0.0;
    public static final int CONVOLUTION_STRIDE = 1;
    /** Pooling window (and, unless given, stride): 2x2, halving height and width. */
    public static final int POOLING_KERNEL = 2;
    public static final Padding PADDING = Padding.VALID;
    public static final PoolingType POOLING = PoolingType.MAX;

    public static final int WORKERS = 2;
    public static final int BATCH_SIZE = 64;
    public static final int EPOCHS = 10;
    public static final long SEED = 42;
    public static final OptimizerType OPTIMIZER = OptimizerType.ADAM;
    public static final int EPOCH_RETRIES = 2;
    public static final int COLLECTIVE_TIMEOUT_SECONDS = 120;
    public static final AveragingMode AVERAGING = AveragingMode.GRADIENTS;
    public static final int AVERAGING_FREQUENCY = 1;
    public static final boolean AVERAGE_UPDATER_STATE = true;
    public static final OnDivergence ON_DIVERGENCE = OnDivergence.STOP;
    public static final DeviceMode DEVICE = DeviceMode.AUTO;

    public static final double MOMENTUM = 0.9;
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;
    public static final double RHO = 0.95;
    /** Decoupled weight decay of {@code adamw} (the PyTorch and Keras default); 0 for the others. */
    public static final double ADAMW_WEIGHT_DECAY = 0.01;
    /** 0: no clipping. */
    public static final double CLIP_NORM = 0;
    public static final double CLIP_VALUE = 0;
    public static final ScheduleType SCHEDULE = ScheduleType.CONSTANT;
    public static final int WARMUP_ITERATIONS = 0;
    /** The drop factor of a {@code step} schedule (PyTorch's {@code StepLR}); {@code exponential} needs its own. */
    public static final double STEP_GAMMA = 0.1;
    /** 0: the cosine decays over the rest of the run (all of {@code training.epochs}, after the warm-up). */
    public static final int DECAY_ITERATIONS = 0;
    public static final double MIN_LEARNING_RATE = 0;
    public static final int PERIOD_MULTIPLIER = 1;

    public static final String CHECKPOINT_SUBDIR = "checkpoints";
    public static final int CHECKPOINT_KEEP = 3;
    public static final boolean CHECKPOINT_RESUME = true;

    public static final int PATIENCE = 3;
    public static final double MIN_DELTA = 0.0;
    public static final StopMode STOP_MODE = StopMode.AUTO;

    /** Hive-style partition directories of {@code data.train}: {@code date=YYYY-MM-DD}. */
    public static final String PARTITION_COLUMN = "date";
    public static final String REGISTRY_SUBDIR = "models";
    public static final RetrainMetric RETRAIN_METRIC = RetrainMetric.AUTO;
    public static final double MIN_IMPROVEMENT = 0.0;

    public static final int LOG_EVERY_ITERATIONS = 0;
    public static final int PROBE_ROWS = 256;

    private SpecDefaults() {
    }

    /** Monitoring when the spec has no {@code monitoring} section. */
    public static MonitoringSpec monitoring() {
        return new MonitoringSpec(LOG_EVERY_ITERATIONS, PROBE_ROWS);
    }

    /** The learning rate of each optimizer when none is given. */
    public static double learningRate(OptimizerType type) {
        return switch (type) {
            case SGD, MOMENTUM, NESTEROV, ADAGRAD -> 0.01;
            case RMSPROP, ADAM, ADAMW -> 0.001;
        };
    }

    /** An optimizer of {@code type} with every hyper-parameter at its default. */
    public static OptimizerSpec optimizer(OptimizerType type) {
        return new OptimizerSpec(type, learningRate(type), MOMENTUM, BETA1, BETA2, EPSILON, RHO);
    }

    /** {@value #ADAMW_WEIGHT_DECAY} for {@code adamw}, 0 (none) for the others. */
    public static double weightDecay(OptimizerType type) {
        return type == OptimizerType.ADAMW ? ADAMW_WEIGHT_DECAY : 0;
    }

    /**
     * He initialisation for the ReLU family (it keeps the variance of activations constant when half
     * of the units are zero, He et al. 2015), Xavier/Glorot for everything else.
     */
    public static WeightInit weightInit(Activation activation) {
        return switch (activation) {
            case RELU, LEAKYRELU, ELU -> WeightInit.HE;
            case SIGMOID, TANH, SOFTMAX, IDENTITY -> WeightInit.XAVIER;
        };
    }

    /** The output activation that matches a loss: the one its maths assumes. */
    public static Activation outputActivation(Loss loss) {
        return switch (loss) {
            case MCXENT, SPARSE_MCXENT -> Activation.SOFTMAX;
            case BCE -> Activation.SIGMOID;
            case MSE, MAE, HUBER -> Activation.IDENTITY;
        };
    }

    /** {@code <outputDir>/checkpoints}, without doubling a trailing slash. */
    public static String checkpointDir(String outputDir) {
        return under(outputDir, CHECKPOINT_SUBDIR);
    }

    /** {@code <outputDir>/models}: where {@code dptrain retrain} keeps its versions unless {@code registry.dir} says. */
    public static String registryDir(String outputDir) {
        return under(outputDir, REGISTRY_SUBDIR);
    }

    private static String under(String outputDir, String name) {
        String base = outputDir.endsWith("/") ? outputDir.substring(0, outputDir.length() - 1) : outputDir;
        return base + "/" + name;
    }
}
