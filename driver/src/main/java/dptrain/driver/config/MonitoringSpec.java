package dptrain.driver.config;

/**
 * What {@code metrics.jsonl} shows about how the network learns, beyond the epoch metrics.
 *
 * @param logEveryIterations a line with the global batch's loss and learning rate every this many
 *                           iterations (0 = none)
 * @param probeRows          rows of the fixed probe batch (the first rows of the validation split,
 *                           or of the training split without one) whose activations are measured
 *                           after every epoch (0 = no activation statistics)
 */
public record MonitoringSpec(int logEveryIterations, int probeRows) {

    public MonitoringSpec {
        JobKeys.LOG_EVERY_ITERATIONS.check(logEveryIterations);
        JobKeys.PROBE_ROWS.check(probeRows);
    }
}
