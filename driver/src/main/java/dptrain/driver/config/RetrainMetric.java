package dptrain.driver.config;

import java.util.Locale;

/**
 * What {@code dptrain retrain} compares the candidate and the current model on, both evaluated on
 * the same holdout rows. {@code auto} is the task's natural metric: accuracy for classification,
 * the mean squared error for regression.
 */
public enum RetrainMetric {
    AUTO(null, false),
    ACCURACY(Task.CLASSIFICATION, true),
    LOSS(null, false),
    MSE(Task.REGRESSION, false),
    MAE(Task.REGRESSION, false),
    R2(Task.REGRESSION, true);

    private final Task task;
    private final boolean higherIsBetter;

    RetrainMetric(Task task, boolean higherIsBetter) {
        this.task = task;
        this.higherIsBetter = higherIsBetter;
    }

    /** {@code auto} resolved for {@code task}; any other metric unchanged. */
    public RetrainMetric resolve(Task task) {
        if (this != AUTO) {
            return this;
        }
        return task == Task.CLASSIFICATION ? ACCURACY : MSE;
    }

    /** Accuracy and r2 grow as a model gets better; loss and errors shrink. */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The metric's suffix in {@code summary.json}: {@code accuracy} as in {@code val_accuracy}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the metric is computed for {@code task}. */
    boolean fits(Task task) {
        return this.task == null || this.task == task;
    }
}
