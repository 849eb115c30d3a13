package dptrain.driver.checkpoint;

import dptrain.driver.config.Task;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.TrainingListener;
import dptrain.driver.report.EvaluationMetrics;
import java.time.Instant;
import java.util.function.Function;

/** Writes a checkpoint after every epoch. */
public final class CheckpointListener implements TrainingListener {

    private final Checkpointer checkpointer;
    private final Function<EpochEnd, Checkpoint> checkpointOf;

    /**
     * @param checkpointOf the checkpoint of an epoch: its state with the configuration, spec,
     *                     provenance, learning-rate scale and metrics
     */
    public CheckpointListener(Checkpointer checkpointer, Function<EpochEnd, Checkpoint> checkpointOf) {
        this.checkpointer = checkpointer;
        this.checkpointOf = checkpointOf;
    }

    /** The checkpoint of an epoch: its state, what it was trained with and its metrics. */
    public static Function<EpochEnd, Checkpoint> checkpoints(Task task, String configurationJson, String specJson,
                                                             long seed, String version) {
        return event -> new Checkpoint(event.state(), configurationJson, specJson, seed, Instant.now().toString(),
                version, event.learningRateScale(), EvaluationMetrics.ofEpoch(event, task));
    }

    @Override
    public void onEpochEnd(EpochEnd event) {
        checkpointer.write(checkpointOf.apply(event));
    }
}
