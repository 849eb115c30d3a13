/**
 * The DL4J Spark drop-in: {@link dptrain.driver.dl4j.AllReduceTrainingMaster} is a dl4j-spark
 * {@code TrainingMaster}, so code written for {@code SparkDl4jMultiLayer} or
 * {@code SparkComputationGraph} changes the one line that builds its master and trains with
 * dptrain's barrier-stage ring all-reduce (exact synchronous SGD on the global batch) instead of
 * parameter averaging. dl4j-spark itself is the application's dependency, not dptrain's jar's.
 */
package dptrain.driver.dl4j;
