package dptrain.driver.config;

import java.util.Locale;

/** What early stopping watches: a validation metric of the task, or the training loss. */
public enum StopMetric {
    VAL_LOSS(null, StopMode.MIN),
    VAL_ACCURACY(Task.CLASSIFICATION, StopMode.MAX),
    VAL_R2(Task.REGRESSION, StopMode.MAX),
    VAL_MSE(Task.REGRESSION, StopMode.MIN),
    VAL_MAE(Task.REGRESSION, StopMode.MIN),
    TRAIN_LOSS(null, StopMode.MIN);

    private final Task task;
    private final StopMode direction;

    StopMetric(Task task, StopMode direction) {
        this.task = task;
        this.direction = direction;
    }

    /** The name in {@code metrics.jsonl} and {@code summary.json}, e.g. {@code val_loss}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the metric exists for {@code task} (accuracy for classification, r2/mse/mae for regression). */
    public boolean fits(Task task) {
        return this.task == null || this.task == task;
    }

    /** Whether the metric is computed on the validation split. */
    public boolean needsValidation() {
        return this != TRAIN_LOSS;
    }

    /** {@code min} for losses and errors, {@code max} for accuracy and r2: what {@code mode: auto} means. */
    public StopMode naturalMode() {
        return direction;
    }
}
