package dptrain.driver.config;

/**
 * The learning-rate schedule, per iteration of the global iteration count (so every worker
 * agrees, and a resumed run continues where it stopped). Keys a type does not use hold 0.
 *
 * @param type             the shape after the warm-up
 * @param warmupIterations iterations of linear warm-up from 0 to the learning rate; 0 for none
 * @param stepSize         {@link ScheduleType#STEP}: iterations between drops
 * @param gamma            {@link ScheduleType#STEP}: factor per drop; {@link ScheduleType#EXPONENTIAL}: per iteration
 * @param decayIterations  {@link ScheduleType#COSINE}: length of the decay; 0 = the rest of the run
 * @param minLearningRate  the cosine schedules' floor
 * @param period           {@link ScheduleType#COSINE_RESTARTS}: iterations of the first cycle
 * @param periodMultiplier {@link ScheduleType#COSINE_RESTARTS}: growth of each next cycle
 */
public record ScheduleSpec(ScheduleType type, int warmupIterations, int stepSize, double gamma, int decayIterations,
                           double minLearningRate, int period, int periodMultiplier) {

    /** A constant learning rate, no warm-up. */
    public static final ScheduleSpec CONSTANT = new ScheduleSpec(ScheduleType.CONSTANT, 0, 0, 0, 0, 0, 0, 0);

    public ScheduleSpec {
        if (type == null) {
            throw new SpecException(ScheduleKeys.TYPE.path() + ": required; allowed: "
                    + Spelling.SCHEDULE_TYPE.allowed());
        }
        ScheduleKeys.WARMUP_ITERATIONS.check(warmupIterations);
        switch (type) {
            case STEP -> {
                ScheduleKeys.STEP_SIZE.check(stepSize);
                ScheduleKeys.GAMMA.check(gamma);
            }
            case EXPONENTIAL -> ScheduleKeys.GAMMA.check(gamma);
            case COSINE -> {
                ScheduleKeys.DECAY_ITERATIONS.check(decayIterations);
                ScheduleKeys.MIN_LEARNING_RATE.check(minLearningRate);
            }
            case COSINE_RESTARTS -> {
                ScheduleKeys.PERIOD.check(period);
                ScheduleKeys.PERIOD_MULTIPLIER.check(periodMultiplier);
                ScheduleKeys.MIN_LEARNING_RATE.check(minLearningRate);
            }
            case CONSTANT -> {
            }
        }
    }

    /** Whether the rate ever differs from the configured learning rate. */
    public boolean varies() {
        return type != ScheduleType.CONSTANT || warmupIterations > 0;
    }

    /** This schedule with a cosine decay of {@code 0} ("the rest of the run") fixed for a run of {@code totalIterations}. */
    public ScheduleSpec forRun(int totalIterations) {
        if (type != ScheduleType.COSINE || decayIterations > 0) {
            return this;
        }
        return new ScheduleSpec(type, warmupIterations, stepSize, gamma,
                Math.max(1, totalIterations - warmupIterations), minLearningRate, period, periodMultiplier);
    }
}
