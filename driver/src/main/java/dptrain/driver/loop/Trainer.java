package dptrain.driver.loop;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
import java.util.List;
import java.util.function.ToDoubleBiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epoch loop: train an epoch (relaunching a failed one from its start state), validate,
 * tell the listeners. Everything else is a listener.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final EpochLauncher launcher;
    private final Evaluator validation;
    private final ToDoubleBiFunction<Integer, Integer> learningRate;
    private final int epochRetries;
    private final List<TrainingListener> listeners;

    /**
     * @param learningRate the learning rate at (iteration, epoch)
     * @param epochRetries relaunches allowed per epoch after a failed attempt
     */
    public Trainer(EpochLauncher launcher, Evaluator validation, ToDoubleBiFunction<Integer, Integer> learningRate,
                   int epochRetries, List<TrainingListener> listeners) {
        this.launcher = launcher;
        this.validation = validation;
        this.learningRate = learningRate;
        this.epochRetries = epochRetries;
        this.listeners = List.copyOf(listeners);
    }

    /** Trains from {@code start} until {@code epochs} epochs are complete; returns the final state. */
    public NetworkState train(NetworkState start, int epochs) {
        listeners.forEach(listener -> listener.onTrainingStart(start.epoch() + 1, epochs));
        NetworkState state = start;
        for (int epoch = start.epoch() + 1; epoch <= epochs; epoch++) {
            long begin = System.nanoTime();
            Attempt attempt = runEpoch(state, epoch);
            double seconds = (System.nanoTime() - begin) / 1e9;
            EpochReport rank0 = attempt.reports.get(0);
            state = rank0.end();
            EvaluationTotals validated = validation.evaluate(state);
            EpochEnd event = new EpochEnd(epoch, epochs, rank0.lossSum() / rank0.rows(), validated,
                    learningRate.applyAsDouble(state.iteration() - 1, epoch - 1), seconds, rank0.rows() / seconds,
                    allReduceShare(attempt.reports), attempt.number, state);
            listeners.forEach(listener -> listener.onEpochEnd(event));
        }
        NetworkState last = state;
        listeners.forEach(listener -> listener.onTrainingEnd(last));
        return state;
    }

    private Attempt runEpoch(NetworkState start, int epoch) {
        for (int attempt = 1; ; attempt++) {
            try {
                List<EpochReport> reports = launcher.run(start, attempt);
                checkRanksAgree(reports, epoch);
                return new Attempt(reports, attempt);
            } catch (Exception e) { // SparkException is a checked exception Scala throws undeclared
                if (attempt > epochRetries) {
                    throw new TrainingFailedException("epoch " + epoch + " failed after " + attempt + " attempt"
                            + (attempt == 1 ? "" : "s") + ": " + rootMessage(e), e);
                }
                LOG.warn("epoch {} attempt {} failed, relaunching from the epoch-start state: {}", epoch, attempt,
                        rootMessage(e));
            }
        }
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

    private static double allReduceShare(List<EpochReport> reports) {
        double worst = 0;
        for (EpochReport report : reports) {
            double total = report.computeNanos() + report.allReduceNanos();
            worst = Math.max(worst, total == 0 ? 0 : report.allReduceNanos() / total);
        }
        return worst;
    }

    /** The innermost message that says something: Spark wraps task failures several times. */
    static String rootMessage(Throwable error) {
        String message = error.getMessage();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getClass().getName().startsWith("dptrain.")) {
                message = cause.getMessage();
                break;
            }
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message == null ? error.getClass().getName() : message.lines().findFirst().orElse(message);
    }

    private record Attempt(List<EpochReport> reports, int number) {
    }
}
