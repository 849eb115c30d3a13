package dptrain.driver.stopping;

import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.EarlyStoppingSpec;
import dptrain.driver.config.Task;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.TrainingListener;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.worker.step.NetworkState;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras-style early stopping: after every epoch, compare the watched metric with the best so
 * far; an improvement (by more than {@code min_delta}) makes this epoch the best and writes its
 * state to {@code best.dpt} in the checkpoint directory; {@code patience} epochs in a row without
 * one ask the loop to stop. The best state survives a driver restart: a resumed run starts from
 * {@code best.dpt} and counts the epochs since it again.
 *
 * <p>Register it before the {@code CheckpointListener}: {@code best.dpt} is then never older than
 * the newest checkpoint's epoch, and a crash between the two writes only repeats an epoch whose
 * (deterministic) result is the best already stored.
 */
public final class EarlyStopping implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

    private final EarlyStoppingSpec spec;
    private final Task task;
    private final Checkpointer checkpointer;
    private final Function<EpochEnd, Checkpoint> checkpointOf;
    private Checkpoint best;
    private int lastEpoch;
    private int epochs;
    private boolean stoppedEarly;

    /**
     * @param checkpointOf how an epoch's state is stored (configuration, spec, provenance)
     * @param restored     the best state of the run being resumed ({@code best.dpt}), if any
     */
    public EarlyStopping(EarlyStoppingSpec spec, Task task, Checkpointer checkpointer,
                         Function<EpochEnd, Checkpoint> checkpointOf, Optional<Checkpoint> restored) {
        this.spec = spec;
        this.task = task;
        this.checkpointer = checkpointer;
        this.checkpointOf = checkpointOf;
        this.best = restored.filter(checkpoint -> checkpoint.metrics().containsKey(spec.metric().key()))
                .orElse(null);
    }

    @Override
    public void onTrainingStart(int firstEpoch, int epochs) {
        this.lastEpoch = firstEpoch - 1;
        this.epochs = epochs;
        if (best != null) {
            LOG.info("early stopping: best {} so far {} at epoch {}, {} epoch(s) since", spec.metric().key(),
                    bestValue(), bestEpoch(), epochsWithoutImprovement());
        }
    }

    @Override
    public void onEpochEnd(EpochEnd event) {
        lastEpoch = event.epoch();
        double value = EvaluationMetrics.ofEpoch(event, task).get(spec.metric().key());
        // An epoch at or before the stored best is one repeated after a crash: the same state again.
        if (best == null ? Double.isFinite(value) : event.epoch() <= bestEpoch() || improves(value)) {
            best = checkpointOf.apply(event);
            checkpointer.writeBest(best);
        }
    }

    private boolean improves(double value) {
        return spec.minimise() ? value < bestValue() - spec.minDelta() : value > bestValue() + spec.minDelta();
    }

    @Override
    public boolean stopRequested() {
        return epochsWithoutImprovement() >= spec.patience();
    }

    @Override
    public void onTrainingEnd(NetworkState state) {
        stoppedEarly = stopRequested() && state.epoch() < epochs;
        if (stoppedEarly) {
            LOG.info("early stopping: no improvement of {} for {} epochs, stopped after epoch {}; best epoch {}"
                    + " ({} = {})", spec.metric().key(), epochsWithoutImprovement(), state.epoch(), bestEpoch(),
                    spec.metric().key(), bestValue());
        }
    }

    /** Epochs since the best one (all epochs so far when none had a finite value). */
    private int epochsWithoutImprovement() {
        return lastEpoch - (best == null ? 0 : bestEpoch());
    }

    /** The best epoch's checkpoint, if any epoch had a finite value. */
    public Optional<Checkpoint> best() {
        return Optional.ofNullable(best);
    }

    public int bestEpoch() {
        return best.state().epoch();
    }

    public double bestValue() {
        return best.metrics().get(spec.metric().key());
    }

    /** Whether training ended because of the metric, before the last epoch. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }
}
