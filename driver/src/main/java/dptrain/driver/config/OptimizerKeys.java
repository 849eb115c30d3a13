package dptrain.driver.config;

/**
 * The keys of {@code training.optimizer}, declared once ({@link SpecKey}); they become an
 * {@link OptimizerSpec}. The learning rate and the weight decay follow from the type when not given.
 */
final class OptimizerKeys {

    /** Decoupled weight decay of {@code adamw} (the PyTorch and Keras default); 0 for the others. */
    static final double ADAMW_WEIGHT_DECAY = 0.01;

    static final SpecSection<OptimizerSpec> SECTION = new SpecSection<>("training.optimizer", OptimizerKeys::build);

    static final SpecKey<OptimizerSpec, OptimizerType> TYPE = SpecKey.in(SECTION, "type",
                    ValueTypes.choice(Spelling.OPTIMIZER_TYPE), OptimizerSpec::type)
            .byDefault(OptimizerType.ADAM)
            .doc("`sgd`, `momentum`, `nesterov` (alias `nesterovs`), `rmsprop`, `adam`, `adamw`, `adagrad`",
                    "the updater; `adamw` is Adam with decoupled weight decay (`weight_decay` defaults to"
                    + " `0.01` for it)")
            .declare();
    static final SpecKey<OptimizerSpec, Double> LEARNING_RATE = SpecKey.in(SECTION, "learning_rate",
                    ValueTypes.NUMBER, OptimizerSpec::learningRate)
            .byDefault((key, values) -> learningRate(values.get(TYPE)),
                    "`sgd`/`momentum`/`nesterov`/`adagrad`: `0.01`; `rmsprop`/`adam`/`adamw`: `0.001`")
            .validate(SpecRules::greaterThanZero)
            .doc("`> 0`",
                    "step size; with a `schedule`, its starting value (the value after the warm-up)")
            .declare();
    static final SpecKey<OptimizerSpec, Double> MOMENTUM = SpecKey.in(SECTION, "momentum", ValueTypes.NUMBER,
                    OptimizerSpec::momentum)
            .byDefault(0.9)
            .validate(SpecRules::fraction)
            .doc("`[0, 1)`",
                    "used by `momentum`, `nesterov`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> BETA1 = SpecKey.in(SECTION, "beta1", ValueTypes.NUMBER,
                    OptimizerSpec::beta1)
            .byDefault(0.9)
            .validate(SpecRules::fraction)
            .doc("`[0, 1)`",
                    "Adam first-moment decay; used by `adam`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> BETA2 = SpecKey.in(SECTION, "beta2", ValueTypes.NUMBER,
                    OptimizerSpec::beta2)
            .byDefault(0.999)
            .validate(SpecRules::fraction)
            .doc("`[0, 1)`",
                    "Adam second-moment decay; used by `adam`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> EPSILON = SpecKey.in(SECTION, "epsilon", ValueTypes.NUMBER,
                    OptimizerSpec::epsilon)
            .byDefault(1e-8)
            .validate(SpecRules::greaterThanZero)
            .doc("`> 0`",
                    "denominator guard; used by `rmsprop`, `adam`, `adamw`, `adagrad`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> RHO = SpecKey.in(SECTION, "rho", ValueTypes.NUMBER,
                    OptimizerSpec::rho)
            .byDefault(0.95)
            .validate(SpecRules::fraction)
            .doc("`[0, 1)`",
                    "RMSprop decay; used by `rmsprop`")
            .declare();
    /** Newer than the first checkpoints' specs, which had no weight decay. */
    static final SpecKey<OptimizerSpec, Double> WEIGHT_DECAY = SpecKey.in(SECTION, "weight_decay",
                    ValueTypes.NUMBER, OptimizerSpec::weightDecay)
            .byDefault((key, values) -> weightDecay(values.get(TYPE)), "`adamw`: `0.01`; others: `0`")
            .absentFromOlderJson(values -> 0.0)
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`; not together with `model.l2`",
                    "decoupled weight decay for any optimizer: after each updater step `w -= lr * weight_decay"
                    + " * w` on weights (not biases), `lr` being the scheduled rate (AdamW, Loshchilov and"
                    + " Hutter); DL4J's `WeightDecay` with `applyLR`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> CLIP_NORM = SpecKey.in(SECTION, "clip_norm", ValueTypes.NUMBER,
                    OptimizerSpec::clipNorm)
            .byDefault(0.0, " (off)")
            .absentFromOlderJsonIsTheDefault()
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`",
                    "rescale the averaged gradient (after the all-reduce, before the updater) so its global L2"
                    + " norm over all layers is at most this; Keras' `global_clipnorm`")
            .declare();
    static final SpecKey<OptimizerSpec, Double> CLIP_VALUE = SpecKey.in(SECTION, "clip_value", ValueTypes.NUMBER,
                    OptimizerSpec::clipValue)
            .byDefault(0.0, " (off)")
            .absentFromOlderJsonIsTheDefault()
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`; not together with `clip_norm`",
                    "clamp every element of the averaged gradient to `[-clip_value, clip_value]`; Keras'"
                    + " `clipvalue`")
            .declare();
    static final SpecKey<OptimizerSpec, ScheduleSpec> SCHEDULE = SpecKey.in(SECTION, "schedule",
                    ScheduleKeys.SECTION.asValue(), OptimizerSpec::schedule)
            .required("constant rate")
            .absentFromOlderJson(values -> ScheduleSpec.CONSTANT)
            .doc("the keys below",
                    "learning-rate schedule, per iteration of the global iteration count, so every worker"
                    + " agrees and a resumed run continues the schedule where it stopped; the `lr` column of"
                    + " `metrics.jsonl` is its value at the epoch's last iteration")
            .declare();

    private OptimizerKeys() {
    }

    private static OptimizerSpec build(SpecValues values) {
        return new OptimizerSpec(values.get(TYPE), values.get(LEARNING_RATE), values.get(MOMENTUM), values.get(BETA1),
                values.get(BETA2), values.get(EPSILON), values.get(RHO), values.get(WEIGHT_DECAY),
                values.get(CLIP_NORM), values.get(CLIP_VALUE), values.get(SCHEDULE));
    }

    /** An optimizer of {@code type} with every hyper-parameter at its default. */
    static OptimizerSpec defaults(OptimizerType type) {
        return new OptimizerSpec(type, learningRate(type), MOMENTUM.defaultValue(), BETA1.defaultValue(),
                BETA2.defaultValue(), EPSILON.defaultValue(), RHO.defaultValue(), weightDecay(type),
                CLIP_NORM.defaultValue(), CLIP_VALUE.defaultValue(), ScheduleSpec.CONSTANT);
    }

    /** The learning rate of each optimizer when none is given. */
    static double learningRate(OptimizerType type) {
        return switch (type) {
            case SGD, MOMENTUM, NESTEROV, ADAGRAD -> 0.01;
            case RMSPROP, ADAM, ADAMW -> 0.001;
        };
    }

    /** {@value #ADAMW_WEIGHT_DECAY} for {@code adamw}, 0 (none) for the others. */
    static double weightDecay(OptimizerType type) {
        return type == OptimizerType.ADAMW ? ADAMW_WEIGHT_DECAY : 0;
    }
}
