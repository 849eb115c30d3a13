package dptrain.driver.job;

/**
 * What one {@link RetrainJob#run} did.
 *
 * @param version         the registry version the candidate was stored as, e.g. {@code v0002}
 * @param promoted        whether the candidate became {@code current}
 * @param candidateMetric the candidate's value of {@code metricName} on the holdout
 * @param currentMetric   the previous current model's value on the same rows, or NaN when the registry
 *                        had no current model (the first version is promoted without a comparison)
 * @param metricName      the compared metric as {@code summary.json} names it, e.g. {@code test_accuracy}
 *                        (on {@code data.test}) or {@code val_mse} (on the validation split)
 * @param reason          one line: why it was promoted or rejected
 */
public record RetrainOutcome(String version, boolean promoted, double candidateMetric, double currentMetric,
                             String metricName, String reason) {
}
