/**
 * Training data: read with Spark (IDX, CSV, Parquet, LibSVM; any Hadoop path), validate every row,
 * split train/validation by a seeded hash of each row's index, normalise with statistics from the
 * training split, and cut the training split into exactly W balanced, ordered float32 shards.
 * The single entry point is {@link dptrain.driver.data.DatasetPreparer#prepare}.
 */
package dptrain.driver.data;
