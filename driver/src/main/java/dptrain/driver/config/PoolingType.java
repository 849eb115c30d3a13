package dptrain.driver.config;

/** How pooling layers combine a window. */
public enum PoolingType {
    MAX,
    AVG
}
