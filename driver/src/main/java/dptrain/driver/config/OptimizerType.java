package dptrain.driver.config;

/** Optimizers of a job spec. */
public enum OptimizerType {
    SGD,
    MOMENTUM,
    NESTEROV,
    RMSPROP,
    ADAM,
    /** Adam with decoupled weight decay (Loshchilov and Hutter): {@code weight_decay} defaults to 0.01. */
    ADAMW,
    ADAGRAD
}
