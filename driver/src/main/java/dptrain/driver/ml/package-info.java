/**
 * The Spark ML face of the trainer: {@link dptrain.driver.ml.NeuralNetClassifier} and
 * {@link dptrain.driver.ml.NeuralNetRegressor} are Estimators whose {@code fit} translates their
 * params into a request for the same engine as a job spec ({@code engine.DistributedTrainer}), and
 * whose Models score DataFrames with a broadcast network and save/load like any Spark ML stage.
 * {@link dptrain.driver.ml.BatchPrediction} scores files with a {@code model.zip}
 * ({@code dptrain predict}).
 */
package dptrain.driver.ml;
