/**
 * The engine: {@link dptrain.driver.engine.DistributedTrainer#fit} takes a
 * {@link dptrain.driver.engine.TrainingRequest}, which every front end (the {@code train} command,
 * the Spark ML estimators, the dl4j-spark TrainingMaster) builds from its own input, and returns a
 * {@link dptrain.driver.engine.TrainingResult}. Inside: the epoch loop
 * ({@link dptrain.driver.engine.Trainer}) with its listener interface and events (each epoch's end
 * carries every rank's times, {@link dptrain.driver.engine.RankTimes}, and the rank that
 * {@link dptrain.driver.engine.SlowRankRule} finds persistently slower), and the Spark side
 * of an epoch: one barrier stage per epoch, distributed evaluation. A failed epoch attempt is told
 * apart once ({@code EpochFailure}): one that would fail again (results over
 * {@code spark.driver.maxResultSize}, out of memory, a deployment error, too few slots, no device)
 * stops the run with one line naming the setting; any other is relaunched from the epoch's start
 * state. What a run writes (metrics,
 * checkpoints, summary, model export, report) is a listener, outside this package.
 */
package dptrain.driver.engine;
