/**
 * The DL4J Spark drop-in: {@link dptrain.driver.dl4j.AllReduceTrainingMaster} is a dl4j-spark
 * {@code TrainingMaster}, so code written for {@code SparkDl4jMultiLayer} or
 * {@code SparkComputationGraph} changes the one line that builds its master and trains on
 * dptrain's engine ({@code engine.DistributedTrainer}): barrier-stage ring all-reduce, exact
 * synchronous SGD on the global batch by default, with the same clipping and parameter averaging as
 * a job spec. Every input form becomes an RDD of DataSets ({@code DataSetInputs}), dealt into
 * shards ({@code DataSetShards}); the caller's network is read and written back in place
 * ({@code CallersNetwork}). dl4j-spark itself is the application's dependency, not dptrain's jar's.
 */
package dptrain.driver.dl4j;
