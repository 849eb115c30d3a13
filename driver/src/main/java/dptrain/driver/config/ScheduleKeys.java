package dptrain.driver.config;

import java.util.List;

/**
 * The keys of {@code training.optimizer.schedule}, declared once ({@link SpecKey}); they become a
 * {@link ScheduleSpec}. A key the schedule's type does not use ({@link #used}) may not be given (so a
 * mistyped type does not silently drop the user's settings) and holds 0.
 */
final class ScheduleKeys {

    static final SpecSection<ScheduleSpec> SECTION = new SpecSection<>("training.optimizer.schedule",
            ScheduleKeys::build);

    static final SpecKey<ScheduleSpec, ScheduleType> TYPE = SpecKey.in(SECTION, "type",
                    ValueTypes.choice(Spelling.SCHEDULE_TYPE), ScheduleSpec::type)
            .byDefault(ScheduleType.CONSTANT)
            .doc("`constant`, `step` (alias `step_decay`), `exponential` (alias `exponential_decay`),"
                    + " `cosine` (alias `cosine_decay`), `cosine_restarts` (alias `sgdr`)",
                    "the shape after the warm-up; `t` counts iterations after the warm-up: `step`: `lr *"
                    + " gamma^floor(t / step_size)`; `exponential`: `lr * gamma^t`; `cosine`: `min + (lr - min)"
                    + " * (1 + cos(pi * t / decay_iterations)) / 2`, then `min`; `cosine_restarts`: the same"
                    + " cosine over cycles of `period`, `period * period_multiplier`, ... iterations (SGDR)")
            .declare();
    static final SpecKey<ScheduleSpec, Integer> WARMUP_ITERATIONS = SpecKey.in(SECTION, "warmup_iterations",
                    ValueTypes.NON_NEGATIVE_INT, ScheduleSpec::warmupIterations)
            .byDefault(0)
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "linear warm-up in front of any type: `lr * i / warmup_iterations` for iteration `i` below"
                    + " it")
            .declare();
    static final SpecKey<ScheduleSpec, Integer> STEP_SIZE = forTypes(SpecKey.in(SECTION, "step_size",
                    ValueTypes.POSITIVE_INT, ScheduleSpec::stepSize), 0)
            .required("required for `step`")
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "iterations between drops; `step` only")
            .declare();
    /** The drop factor of a {@code step} schedule (PyTorch's {@code StepLR}); {@code exponential} needs its own. */
    static final SpecKey<ScheduleSpec, Double> GAMMA = forTypes(SpecKey.in(SECTION, "gamma", ValueTypes.NUMBER,
                    ScheduleSpec::gamma), 0.0)
            .byDefault((key, values) -> values.get(TYPE) == ScheduleType.STEP ? 0.1
                            : key.type().whenAbsent(values.keyPath(key.name()), values),
                    "`step`: `0.1`; required for `exponential`")
            .validate(SpecRules::decayFactor)
            .doc("`(0, 1]`",
                    "factor per drop (`step`) or per iteration (`exponential`)")
            .declare();
    /** 0: the cosine decays over the rest of the run (all of {@code training.epochs}, after the warm-up). */
    static final SpecKey<ScheduleSpec, Integer> DECAY_ITERATIONS = forTypes(SpecKey.in(SECTION, "decay_iterations",
                    ValueTypes.NON_NEGATIVE_INT, ScheduleSpec::decayIterations), 0)
            .byDefault(0, ": the rest of the run (`training.epochs` times the iterations per epoch, less the warm-up)")
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "length of the `cosine` decay; set it when the run will be extended by resuming with more"
                    + " epochs (the default then changes and the checkpoint no longer matches); `cosine` only")
            .declare();
    static final SpecKey<ScheduleSpec, Double> MIN_LEARNING_RATE = forTypes(SpecKey.in(SECTION, "min_learning_rate",
                    ValueTypes.NUMBER, ScheduleSpec::minLearningRate), 0.0)
            .byDefault(0.0)
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`, below `learning_rate`",
                    "floor of `cosine` and `cosine_restarts`")
            .declare();
    static final SpecKey<ScheduleSpec, Integer> PERIOD = forTypes(SpecKey.in(SECTION, "period",
                    ValueTypes.POSITIVE_INT, ScheduleSpec::period), 0)
            .required("required for `cosine_restarts`")
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "iterations of the first cycle; `cosine_restarts` only")
            .declare();
    static final SpecKey<ScheduleSpec, Integer> PERIOD_MULTIPLIER = forTypes(SpecKey.in(SECTION, "period_multiplier",
                    ValueTypes.POSITIVE_INT, ScheduleSpec::periodMultiplier), 0)
            .byDefault(1)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "each cycle is this many times longer than the one before; `cosine_restarts` only")
            .declare();

    private ScheduleKeys() {
    }

    private static ScheduleSpec build(SpecValues values) {
        ScheduleType type = values.get(TYPE);
        values.refuseInapplicable();
        return new ScheduleSpec(type, values.get(WARMUP_ITERATIONS), values.get(STEP_SIZE),
                values.get(GAMMA), values.get(DECAY_ITERATIONS), values.get(MIN_LEARNING_RATE), values.get(PERIOD),
                values.get(PERIOD_MULTIPLIER));
    }

    /** The keys a schedule of {@code type} uses besides {@code type} and {@code warmup_iterations}. */
    static List<String> used(ScheduleType type) {
        return switch (type) {
            case CONSTANT -> List.of();
            case STEP -> List.of("step_size", "gamma");
            case EXPONENTIAL -> List.of("gamma");
            case COSINE -> List.of("decay_iterations", "min_learning_rate");
            case COSINE_RESTARTS -> List.of("period", "period_multiplier", "min_learning_rate");
        };
    }

    private static <T> SpecKey.Builder<ScheduleSpec, T> forTypes(SpecKey.Builder<ScheduleSpec, T> key, T unused) {
        String name = key.name();
        return key.onlyWhen(values -> used(values.get(TYPE)).contains(name), values -> {
            ScheduleType type = values.get(TYPE);
            List<String> used = used(type);
            return "not used by schedule type " + Spelling.SCHEDULE_TYPE.name(type)
                    + (used.isEmpty() ? "" : "; it uses " + String.join(", ", used));
        }, unused).refusedFirst();
    }
}
