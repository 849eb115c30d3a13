package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the values of one enum are written in a spec: the canonical name (the lower-case constant
 * name, used in docs, errors and {@link SpecJson}) plus accepted aliases. Parsing ignores case.
 */
final class Spelling<E extends Enum<E>> {

    static final Spelling<StopMetric> STOP_METRIC = new Spelling<>(StopMetric.class, Map.of());
    static final Spelling<StopMode> STOP_MODE = new Spelling<>(StopMode.class, Map.of());
    static final Spelling<OnDivergence> ON_DIVERGENCE = new Spelling<>(OnDivergence.class, Map.of());
    static final Spelling<DataFormat> DATA_FORMAT = new Spelling<>(DataFormat.class, Map.of());
    static final Spelling<Normalization> NORMALIZATION = new Spelling<>(Normalization.class, Map.of());
    static final Spelling<LayerType> LAYER_TYPE = new Spelling<>(LayerType.class, Map.of(
            "batchnorm", LayerType.BATCH_NORM,
            "batch_normalization", LayerType.BATCH_NORM,
            "conv", LayerType.CONVOLUTION,
            "conv2d", LayerType.CONVOLUTION,
            "subsampling", LayerType.POOLING,
            "pool", LayerType.POOLING,
            "global_pool", LayerType.GLOBAL_POOLING));
    static final Spelling<Padding> PADDING = new Spelling<>(Padding.class, Map.of());
    static final Spelling<PoolingType> POOLING_TYPE = new Spelling<>(PoolingType.class, Map.of(
            "average", PoolingType.AVG,
            "mean", PoolingType.AVG));
    static final Spelling<Activation> ACTIVATION = new Spelling<>(Activation.class,
            Map.of("leaky_relu", Activation.LEAKYRELU));
    static final Spelling<WeightInit> WEIGHT_INIT = new Spelling<>(WeightInit.class,
            Map.of("relu", WeightInit.HE, "he_normal", WeightInit.HE));
    static final Spelling<Loss> LOSS = new Spelling<>(Loss.class, Map.of(
            "l1", Loss.MAE,
            "binary_crossentropy", Loss.BCE,
            "xent", Loss.BCE,
            "categorical_crossentropy", Loss.MCXENT,
            "cross_entropy", Loss.MCXENT,
            "sparse_categorical_crossentropy", Loss.SPARSE_MCXENT,
            "smooth_l1", Loss.HUBER));
    static final Spelling<OptimizerType> OPTIMIZER_TYPE = new Spelling<>(OptimizerType.class,
            Map.of("nesterovs", OptimizerType.NESTEROV));
    static final Spelling<ScheduleType> SCHEDULE_TYPE = new Spelling<>(ScheduleType.class, Map.of(
            "step_decay", ScheduleType.STEP,
            "exponential_decay", ScheduleType.EXPONENTIAL,
            "cosine_decay", ScheduleType.COSINE,
            "sgdr", ScheduleType.COSINE_RESTARTS));
    static final Spelling<Averaging.Mode> AVERAGING_MODE = new Spelling<>(Averaging.Mode.class, Map.of());
    static final Spelling<DeviceMode> DEVICE = new Spelling<>(DeviceMode.class, Map.of());
    static final Spelling<AllReduceEncryption> ALLREDUCE_ENCRYPTION = new Spelling<>(AllReduceEncryption.class,
            Map.of());
    static final Spelling<RetrainMetric> RETRAIN_METRIC = new Spelling<>(RetrainMetric.class, Map.of());

    private final E[] constants;
    private final Map<String, E> byName = new LinkedHashMap<>();

    private Spelling(Class<E> type, Map<String, E> aliases) {
        constants = type.getEnumConstants();
        for (E constant : constants) {
            byName.put(name(constant), constant);
        }
        byName.putAll(aliases);
    }

    /** The canonical spelling. */
    String name(E value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The constant for a spelling or alias in any case, or {@code null} if there is none. */
    E parse(String text) {
        return byName.get(text.trim().toLowerCase(Locale.ROOT));
    }

    /** Every accepted spelling in lower case: the canonical ones, then the aliases. */
    List<String> spellings() {
        return List.copyOf(byName.keySet());
    }

    /** The canonical spellings, comma separated, in declaration order. */
    String allowed() {
        return Arrays.stream(constants).map(this::name).collect(Collectors.joining(", "));
    }
}
