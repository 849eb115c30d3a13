package dptrain.driver.engine;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleBiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch loop: train an epoch (relaunching a failed one from its start state unless
 * {@link EpochFailure} finds it would fail again, rolling back a diverged one if the policy says
 * so), validate, tell the listeners, stop when one asks.
 * Everything else is a listener.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final EpochLauncher launcher;
    private final Evaluator validation;
    private final ToDoubleBiFunction<Integer, Integer> learningRate;
    private final int epochRetries;
    private final DivergencePolicy divergence;
    private final List<TrainingListener> listeners;
    private int rollbacks;

    /** A trainer that stops on divergence. */
    public Trainer(EpochLauncher launcher, Evaluator validation, ToDoubleBiFunction<Integer, Integer> learningRate,
                   int epochRetries, List<TrainingListener> listeners) {
        this(launcher, validation, learningRate, epochRetries, DivergencePolicy.stop(), listeners);
    }

    /**
     * @param learningRate the configured learning rate at (iteration, epoch)
     * @param epochRetries relaunches allowed per epoch after a failed attempt (divergence aside)
     * @param divergence   what to do when an epoch diverges
     */
    public Trainer(EpochLauncher launcher, Evaluator validation, ToDoubleBiFunction<Integer, Integer> learningRate,
                   int epochRetries, DivergencePolicy divergence, List<TrainingListener> listeners) {
        this.launcher = launcher;
        this.validation = validation;
        this.learningRate = learningRate;
        this.epochRetries = epochRetries;
        this.divergence = divergence;
        this.listeners = List.copyOf(listeners);
    }

    /** Trains from {@code start} until {@code epochs} epochs are complete; returns the final state. */
    public NetworkState train(NetworkState start, int epochs) {
        return train(start, 1.0, epochs);
    }

    /**
     * Trains from {@code start} until {@code epochs} epochs are complete or a listener asks to
     * stop; returns the final state.
     *
     * @param learningRateScale factor on the configured learning rate to start with (a resumed
     *                          run continues with the scale its checkpoint was trained with)
     */
    public NetworkState train(NetworkState start, double learningRateScale, int epochs) {
        listeners.forEach(listener -> listener.onTrainingStart(start.epoch() + 1, epochs));
        NetworkState state = start;
        double scale = learningRateScale;
        SlowRankRule slowRanks = new SlowRankRule();
        for (int epoch = start.epoch() + 1; epoch <= epochs && !stopRequested(); epoch++) {
            long begin = System.nanoTime();
            Attempt attempt = runEpoch(state, epoch, scale);
            double seconds = (System.nanoTime() - begin) / 1e9;
            EpochReport rank0 = attempt.reports.get(0);
            state = rank0.end();
            scale = attempt.learningRateScale;
            EvaluationTotals validated = validation.evaluate(state);
            List<RankTimes> ranks = RankTimes.of(attempt.reports);
            EpochEnd event = new EpochEnd(epoch, epochs, rank0.lossSum() / rank0.rows(), validated,
                    scale * learningRate.applyAsDouble(state.iteration() - 1, epoch - 1), seconds,
                    rank0.rows() / seconds, AllReduceShares.of(attempt.reports), attempt.number, state, scale,
                    rank0.statistics(), ranks, slowRanks.afterEpoch(ranks));
            listeners.forEach(listener -> listener.onEpochEnd(event));
        }
        NetworkState last = state;
        listeners.forEach(listener -> listener.onTrainingEnd(last));
        return state;
    }

    private boolean stopRequested() {
        return listeners.stream().anyMatch(TrainingListener::stopRequested);
    }

    private Attempt runEpoch(NetworkState start, int epoch, double learningRateScale) {
        double scale = learningRateScale;
        int failures = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                List<EpochReport> reports = launcher.run(start, attempt, scale);
                checkRanksAgree(reports, epoch);
                return new Attempt(reports, attempt, scale);
            } catch (Exception e) { // SparkException is a checked exception Scala throws undeclared
                Optional<Divergence> diverged = Divergence.in(e);
                EpochFailure failure = EpochFailure.of(e);
                if (diverged.isPresent() && failure.kind() != EpochFailure.Kind.DEVICE) {
                    scale = rollBack(diverged.get(), start, scale, e);
                } else if (failure.kind().repeats() || ++failures > epochRetries) {
                    // a failure that repeats (a device, a size, memory, the build) would only burn epochs
                    throw new TrainingFailedException(failure.line(epoch, attempt), e);
                } else {
                    LOG.warn("epoch {} attempt {} failed, relaunching from the epoch-start state: {}", epoch,
                            attempt, failure.reason());
                }
            }
        }
    }

    /**
     * A divergence is deterministic: relaunching the same epoch as it was would diverge again.
     * Either stop, naming the last good state, or go back to the epoch-start state (the last
     * checkpoint) with a smaller learning rate.
     */
    private double rollBack(Divergence diverged, NetworkState start, double scale, Exception cause) {
        String lastGood = start.epoch() == 0 ? "no epoch finished before it"
                : "the last good state is that of epoch " + start.epoch() + ", its checkpoint is kept";
        if (!divergence.rollBack(rollbacks)) {
            String message = rollbacks == 0 ? diverged.message() + "; " + lastGood
                    : diverged.message() + "; still diverging after " + rollbacks + " rollback"
                    + (rollbacks == 1 ? "" : "s") + " (learning rate x" + scale + "); " + lastGood;
            throw new TrainingDivergedException(message, diverged.epoch(), diverged.iteration(), cause);
        }
        rollbacks++;
        double halved = scale * DivergencePolicy.ROLLBACK_FACTOR;
        LOG.warn("{}; rollback {}: relaunching epoch {} from its start state with the learning rate x{}",
                diverged.message(), rollbacks, start.epoch() + 1, halved);
        Rollback event = new Rollback(diverged.epoch(), diverged.iteration(), diverged.message(), rollbacks, halved);
        listeners.forEach(listener -> listener.onRollback(event));
        return halved;
    }

    private static void checkRanksAgree(List<EpochReport> reports, int epoch) {
        long expected = reports.get(0).paramsFingerprint();
        for (EpochReport report : reports) {
            if (report.paramsFingerprint() != expected) {
                throw new IllegalStateException("epoch " + epoch + ": parameters of rank " + report.rank()
                        + " differ from rank 0");
            }
        }
    }

    private record Attempt(List<EpochReport> reports, int number, double learningRateScale) {
    }
}
