package dptrain.driver.config;

/** Border handling of convolution and pooling windows. */
public enum Padding {
    /** No padding: the output shrinks to the positions where the whole window fits (DL4J Truncate). */
    VALID,
    /** Padding so that the output has {@code ceil(input / stride)} positions (DL4J Same). */
    SAME
}
