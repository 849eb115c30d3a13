package dptrain.driver.report;

import dptrain.driver.config.Task;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.SlowRank;
import dptrain.driver.engine.TrainingListener;
import dptrain.worker.step.NetworkState;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per epoch, with an estimate of the time left: logged, or, when the driver
 * runs on a terminal, printed above a live progress bar ({@link ConsoleProgress}). When a rank is
 * persistently slower than the others, a second line names it (see {@code SlowRankRule}).
 */
public final class ProgressLog implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final Task task;
    private final ConsoleProgress bar;
    private double secondsSoFar;
    private int epochsSoFar;

    /** A bar on a terminal, log lines everywhere else. */
    public ProgressLog(Task task) {
        this(task, ConsoleProgress.onTerminal().orElse(null));
    }

    /** @param bar the terminal's bar, or {@code null} to log the lines */
    ProgressLog(Task task, ConsoleProgress bar) {
        this.task = task;
        this.bar = bar;
    }

    @Override
    public void onTrainingStart(int firstEpoch, int epochs) {
        if (firstEpoch > epochs) {
            LOG.info("all {} epochs already trained", epochs);
        } else {
            LOG.info("training epochs {}..{}", firstEpoch, epochs);
        }
        if (bar != null) {
            bar.start(firstEpoch, epochs);
        }
    }

    @Override
    public void onEpochEnd(EpochEnd event) {
        secondsSoFar += event.epochSeconds();
        epochsSoFar++;
        double eta = secondsSoFar / epochsSoFar * (event.epochs() - event.epoch());
        String validation = EvaluationMetrics.of("val_", event.validation(), task).entrySet().stream()
                .map(this::format).collect(Collectors.joining(" "));
        String line = String.format(Locale.ROOT,
                "epoch %d/%d train_loss=%.4f %s lr=%.3g epoch_seconds=%.1f samples_per_second=%.0f "
                        + "allreduce_share=%.3f allreduce_wait_share=%.3f attempts=%d eta_seconds=%.0f",
                event.epoch(), event.epochs(), event.trainLoss(), validation, event.learningRate(),
                event.epochSeconds(), event.samplesPerSecond(), event.allReduce().total(), event.allReduce().waiting(),
                event.attempts(), eta);
        // a persistently slow rank gets a line of its own, right below the epoch's
        String slow = event.slowRank().map(SlowRank::line).orElse(null);
        if (bar == null) {
            LOG.info(line);
            if (slow != null) {
                LOG.warn(slow);
            }
        } else {
            bar.epochEnd(slow == null ? line : line + "\n" + slow, event.trainLoss(),
                    event.samplesPerSecond());
        }
    }

    @Override
    public void onTrainingEnd(NetworkState state) {
        if (bar != null) {
            bar.finish();
        }
    }

    private String format(Map.Entry<String, Double> metric) {
        return String.format(Locale.ROOT, "%s=%.4f", metric.getKey(), metric.getValue());
    }
}
