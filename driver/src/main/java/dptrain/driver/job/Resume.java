package dptrain.driver.job;

import dptrain.driver.BadInputException;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.JobSpec;
import dptrain.worker.step.NetworkState;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job continues from its {@code checkpoint.dir}: the newest checkpoint (with
 * {@code checkpoint.resume}) and early stopping's best state. Both are read before the data, and
 * both must have been written for the network the spec builds now.
 *
 * @param checkpointer the job's checkpoint directory
 * @param latest       the checkpoint to resume from, if any
 * @param best         early stopping's best state of the run the checkpoints continue, if any
 */
record Resume(Checkpointer checkpointer, Optional<Checkpoint> latest, Optional<Checkpoint> best) {

    private static final Logger LOG = LoggerFactory.getLogger(Resume.class);

    static Resume read(JobSpec spec, Checkpointer checkpointer) {
        Optional<Checkpoint> latest = spec.checkpoint().resume() ? checkpointer.latest() : Optional.empty();
        // Early stopping's best state counts only for the run that the checkpoints continue.
        Optional<Checkpoint> best = latest.isPresent() && spec.earlyStopping() != null ? checkpointer.best()
                : Optional.empty();
        return new Resume(checkpointer, latest, best);
    }

    /** The newest checkpoint's state, or the network's initial state without one. */
    NetworkState state(String configuration) {
        return latest.map(checkpoint -> resumeFrom(checkpoint, configuration))
                .orElseGet(() -> NetworkState.initial(configuration));
    }

    /** The factor on the learning rate the newest checkpoint was trained with (1 without one). */
    double learningRateScale() {
        return latest.map(Checkpoint::learningRateScale).orElse(1.0);
    }

    /** Refuses a best state written for another network. */
    void checkBest(String configuration) {
        best.ifPresent(checkpoint -> checkConfiguration(checkpoint, configuration));
    }

    private NetworkState resumeFrom(Checkpoint checkpoint, String configuration) {
        checkConfiguration(checkpoint, configuration);
        LOG.info("resuming from the checkpoint of epoch {} (iteration {}) in {}", checkpoint.state().epoch(),
                checkpoint.state().iteration(), checkpointer.location());
        return checkpoint.state();
    }

    private void checkConfiguration(Checkpoint checkpoint, String configuration) {
        if (!checkpoint.configurationJson().equals(configuration)) {
            throw new BadInputException("checkpoint.dir: the checkpoint of epoch " + checkpoint.state().epoch()
                    + " in " + checkpointer.location() + " was written for a different model, optimizer or seed;"
                    + " use another checkpoint.dir, or checkpoint.resume=false to start over");
        }
    }
}
