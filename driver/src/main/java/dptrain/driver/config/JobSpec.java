package dptrain.driver.config;

import java.util.Objects;

/**
 * A whole job, as read from a YAML spec plus command-line overrides. Immutable and validated:
 * an instance that exists is a runnable spec (data files and columns are checked later, when
 * the data is read).
 *
 * @param earlyStopping early stopping, or {@code null} when the spec has no such section (off)
 * @param monitoring    iteration lines and activation statistics in {@code metrics.jsonl}
 */
public record JobSpec(DataSpec data, ModelSpec model, TrainingSpec training, OutputSpec output,
                      CheckpointSpec checkpoint, EarlyStoppingSpec earlyStopping, MonitoringSpec monitoring) {

    public JobSpec {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(monitoring, "monitoring");
        if (earlyStopping != null) {
            earlyStopping.checkFits(model.outputLayer().loss().task(), data.validationFraction());
        }
    }

    /** Classification or regression, decided by the output layer's loss. */
    public Task task() {
        return model.outputLayer().loss().task();
    }
}
