package dptrain.driver.config;

/** Optimizers of a job spec. */
public enum OptimizerType {
    SGD,
    MOMENTUM,
    NESTEROV,
    RMSPROP,
    ADAM
}
