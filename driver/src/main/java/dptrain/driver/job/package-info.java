/**
 * A whole training job, from validated spec to summary and model ({@code TrainJob}), and scheduled
 * retraining ({@code RetrainJob}): a warm-started candidate compared with the registry's current
 * model on the same holdout, promoted only when better by the configured margin.
 */
package dptrain.driver.job;
