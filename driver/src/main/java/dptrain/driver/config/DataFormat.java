package dptrain.driver.config;

/**
 * Where the rows come from: a file format read by dptrain's own readers, a catalog table, a Delta
 * table, or any other Spark data source ({@link #SOURCE}, named by {@link DataSpec#source()}).
 */
public enum DataFormat {
    IDX,
    CSV,
    PARQUET,
    LIBSVM,
    /** A table of the session's catalog, named in {@code data.train}. */
    TABLE,
    /** A Delta Lake table at the path {@code data.train}, optionally pinned to a version or a timestamp. */
    DELTA,
    /** Any other Spark data source by its name ({@code orc}, {@code json}, {@code avro}, a class name). */
    SOURCE
}
