package dptrain.driver.config;

/** What the output layer learns; follows from its loss. */
public enum Task {
    CLASSIFICATION,
    REGRESSION
}
