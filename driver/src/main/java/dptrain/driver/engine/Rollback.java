package dptrain.driver.engine;

/**
 * A diverged epoch, relaunched from its start state (the last good checkpoint) with a smaller
 * learning rate.
 *
 * @param epoch             the epoch that diverged (1-based)
 * @param iteration         the global iteration at which it diverged
 * @param reason            the divergence message, e.g. "training diverged at epoch 3, iteration 57: loss is NaN"
 * @param rollback          1-based count of rollbacks in this run
 * @param learningRateScale the factor on the configured learning rate from now on
 */
public record Rollback(int epoch, int iteration, String reason, int rollback, double learningRateScale) {
}
