package dptrain.driver.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Early stopping (the spec section is optional: absent means off). Training stops once the
 * metric has not improved by more than {@code minDelta} for {@code patience} epochs in a row;
 * the best epoch's state is what {@code model.zip} holds.
 *
 * @param metric   what is watched
 * @param patience epochs without improvement before stopping
 * @param minDelta how much the metric must improve to count as an improvement
 * @param mode     {@code min}, {@code max}, or {@code auto} (from the metric)
 */
public record EarlyStoppingSpec(StopMetric metric, int patience, double minDelta, StopMode mode) {

    public EarlyStoppingSpec {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(mode, "mode");
        JobKeys.PATIENCE.check(patience);
        JobKeys.MIN_DELTA.check(minDelta);
    }

    /** {@code mode} with {@code auto} resolved: true when a smaller value is better. */
    public boolean minimise() {
        return (mode == StopMode.AUTO ? metric.naturalMode() : mode) == StopMode.MIN;
    }

    /** Fails with one line when the metric does not exist for the job (its task, its validation split). */
    void checkFits(Task task, double validationFraction) {
        if (!metric.fits(task)) {
            throw new SpecException("early_stopping.metric: " + metric.key() + " is not computed for a "
                    + task.name().toLowerCase(Locale.ROOT) + " job; allowed: " + allowedFor(task));
        }
        if (metric.needsValidation() && validationFraction == 0) {
            throw new SpecException("early_stopping.metric: " + metric.key()
                    + " needs a validation split, but data.validation_fraction is 0; use train_loss or a fraction > 0");
        }
    }

    static String allowedFor(Task task) {
        StringBuilder allowed = new StringBuilder();
        for (StopMetric candidate : StopMetric.values()) {
            if (candidate.fits(task)) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(candidate.key());
            }
        }
        return allowed.toString();
    }
}
