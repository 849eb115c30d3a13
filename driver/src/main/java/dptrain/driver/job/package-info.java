/**
 * The {@code train} command's front end: {@code TrainJob} turns a validated spec into a request for
 * the engine ({@code engine.DistributedTrainer}) after reading and checking everything it trains on
 * ({@code RunInputs}, {@code Resume}), with listeners for what a run leaves behind ({@code RunSummary},
 * the model export, the report). Scheduled retraining ({@code RetrainJob}): a warm-started candidate
 * compared with the registry's current model on the same holdout, promoted only when better by the
 * configured margin.
 */
package dptrain.driver.job;
