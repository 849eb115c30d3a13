package dptrain.driver.config;

/** Whether the early-stopping metric improves by falling or by rising; {@code AUTO} follows the metric. */
public enum StopMode {
    AUTO,
    MIN,
    MAX
}
