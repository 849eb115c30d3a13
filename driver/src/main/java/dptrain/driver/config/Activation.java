package dptrain.driver.config;

/** Activation functions of a job spec. */
public enum Activation {
    RELU,
    LEAKYRELU,
    ELU,
    SIGMOID,
    TANH,
    SOFTMAX,
    IDENTITY
}
