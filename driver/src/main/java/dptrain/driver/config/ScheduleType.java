package dptrain.driver.config;

/** Learning-rate schedules of a job spec; each may have a linear warm-up in front. */
public enum ScheduleType {
    CONSTANT,
    /** Multiply by {@code gamma} every {@code step_size} iterations. */
    STEP,
    /** Multiply by {@code gamma} every iteration. */
    EXPONENTIAL,
    /** Half a cosine from the learning rate down to {@code min_learning_rate} over {@code decay_iterations}. */
    COSINE,
    /** Cosine cycles of {@code period} iterations, each {@code period_multiplier} times longer than the last. */
    COSINE_RESTARTS
}
