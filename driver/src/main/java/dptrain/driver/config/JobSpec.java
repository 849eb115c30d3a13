package dptrain.driver.config;

import java.util.Objects;

/**
 * A whole job, as read from a YAML spec plus command-line overrides. Immutable and validated:
 * an instance that exists is a runnable spec (data files and columns are checked later, when
 * the data is read).
 *
 * @param earlyStopping early stopping, or {@code null} when the spec has no such section (off)
 * @param monitoring    iteration lines and activation statistics in {@code metrics.jsonl}
 * @param retrain       the model registry and promotion rule of {@code dptrain retrain}
 */
public record JobSpec(DataSpec data, ModelSpec model, TrainingSpec training, OutputSpec output,
                      CheckpointSpec checkpoint, EarlyStoppingSpec earlyStopping, MonitoringSpec monitoring,
                      RetrainSpec retrain) {

    /** A job with the default registry ({@code <output.dir>/models}) and promotion rule. */
    public JobSpec(DataSpec data, ModelSpec model, TrainingSpec training, OutputSpec output,
                   CheckpointSpec checkpoint, EarlyStoppingSpec earlyStopping, MonitoringSpec monitoring) {
        this(data, model, training, output, checkpoint, earlyStopping, monitoring,
                RetrainSpec.defaults(Objects.requireNonNull(output, "output").dir()));
    }

    public JobSpec {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(monitoring, "monitoring");
        Objects.requireNonNull(retrain, "retrain");
        if (model.dl4jJson() == null) { // an imported network's task is known once its JSON is read
            retrain.metricFor(model.outputLayer().loss().task());
        }
        if (earlyStopping != null) {
            earlyStopping.checkFits(model.outputLayer().loss().task(), data.validationFraction());
        }
    }

    /** Classification or regression, decided by the output layer's loss. */
    public Task task() {
        return model.outputLayer().loss().task();
    }
}
