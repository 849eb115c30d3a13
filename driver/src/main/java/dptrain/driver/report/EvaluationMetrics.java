package dptrain.driver.report;

import dptrain.driver.config.Task;
import dptrain.driver.engine.EpochEnd;
import dptrain.worker.eval.EvaluationTotals;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named metrics from evaluation totals: loss and accuracy, or loss, MSE, MAE and r2. */
public final class EvaluationMetrics {

    private EvaluationMetrics() {
    }

    /** E.g. {@code val_loss, val_accuracy} for prefix {@code val_}; NaN where there were no rows. */
    public static Map<String, Double> of(String prefix, EvaluationTotals totals, Task task) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(prefix + "loss", totals.meanLoss());
        if (task == Task.CLASSIFICATION) {
            metrics.put(prefix + "accuracy", totals.accuracy());
        } else {
            metrics.put(prefix + "mse", totals.meanSquaredError());
            metrics.put(prefix + "mae", totals.meanAbsoluteError());
            metrics.put(prefix + "r2", totals.r2());
        }
        return metrics;
    }

    /** An epoch's metrics by name: {@code train_loss} and the validation metrics. */
    public static Map<String, Double> ofEpoch(EpochEnd event, Task task) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", event.trainLoss());
        metrics.putAll(of("val_", event.validation(), task));
        return metrics;
    }
}
