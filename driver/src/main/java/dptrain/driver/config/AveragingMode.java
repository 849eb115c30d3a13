package dptrain.driver.config;

/** What the workers average. */
public enum AveragingMode {
    /** The gradient, every iteration: exactly the global-batch step of one machine. */
    GRADIENTS,
    /** The parameters (and updater state), every {@code averaging_frequency} local steps. */
    PARAMETERS
}
