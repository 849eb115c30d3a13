/**
 * Training data: read with Spark (IDX, CSV, Parquet, LibSVM; any Hadoop path; or, through the
 * Parquet column path, a catalog table, a Delta Lake table at one recorded version or any Spark
 * source by name: {@code TableSource}), validate every row, split train/validation by a seeded
 * hash of each row's index, normalise with statistics from the training split, and deal the
 * training split into exactly W balanced float32 shards by the one sharding rule of every front
 * end ({@link dptrain.driver.data.Sharding}: row p to rank p mod W, each rank's rows in input order).
 * The single entry point is {@link dptrain.driver.data.DatasetPreparer#prepare}.
 */
package dptrain.driver.data;
