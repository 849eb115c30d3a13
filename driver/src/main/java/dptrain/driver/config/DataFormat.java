package dptrain.driver.config;

/** Input file formats. */
public enum DataFormat {
    IDX,
    CSV,
    PARQUET,
    LIBSVM
}
