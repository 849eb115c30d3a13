package dptrain.driver.config;

import java.util.Objects;

/**
 * A whole job, as read from a YAML spec plus command-line overrides. Immutable and validated:
 * an instance that exists is a runnable spec (data files and columns are checked later, when
 * the data is read).
 */
public record JobSpec(DataSpec data, ModelSpec model, TrainingSpec training, OutputSpec output,
                      CheckpointSpec checkpoint) {

    public JobSpec {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(checkpoint, "checkpoint");
    }

    /** Classification or regression, decided by the output layer's loss. */
    public Task task() {
        return model.outputLayer().loss().task();
    }
}
