package dptrain.driver.config;

/** Layer kinds of a job spec. */
public enum LayerType {
    DENSE,
    OUTPUT
}
