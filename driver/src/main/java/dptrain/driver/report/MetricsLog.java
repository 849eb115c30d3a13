package dptrain.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.config.Task;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.RankTimes;
import dptrain.driver.engine.Rollback;
import dptrain.driver.engine.SlowRank;
import dptrain.driver.engine.TrainingListener;
import dptrain.worker.task.EpochStatistics;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code output.dir/metrics.jsonl}: one JSON object per epoch, with the monitoring of how the
 * network learns (gradient norms, update ratios, activation statistics on a probe batch);
 * before it, the epoch's periodic iteration lines ({@code "kind": "iteration"}) and rollbacks
 * after a divergence ({@code "kind": "rollback"}). Every line has its {@code epoch}. An epoch line
 * also has each rank's times and where it ran ({@code ranks}), and names a persistently slow rank
 * ({@code slow_rank}) when {@code SlowRankRule} does. On resume,
 * lines of epochs after the checkpoint (written before a crash, then lost with the state) are
 * dropped, so the file always describes the run that the checkpoints continue.
 */
public final class MetricsLog implements TrainingListener {

    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputDirectory output;
    private final Task task;
    private final ActivationProbe probe;
    private final List<String> lines = new ArrayList<>();

    public MetricsLog(OutputDirectory output, Task task) {
        this(output, task, null);
    }

    /** @param probe the probe batch for activation statistics, or {@code null} for none */
    public MetricsLog(OutputDirectory output, Task task, ActivationProbe probe) {
        this.output = output;
        this.task = task;
        this.probe = probe;
    }

    @Override
    public void onTrainingStart(int firstEpoch, int epochs) {
        lines.clear();
        if (firstEpoch > 1) {
            output.readText(FILE).ifPresent(text -> text.lines()
                    .filter(line -> !line.isBlank() && epochOf(line) < firstEpoch)
                    .forEach(lines::add));
        }
    }

    @Override
    public void onRollback(Rollback event) {
        ObjectNode line = JSON.createObjectNode()
                .put("kind", "rollback")
                .put("epoch", event.epoch())
                .put("iteration", event.iteration())
                .put("reason", event.reason())
                .put("rollback", event.rollback());
        putNumber(line, "lr_scale", event.learningRateScale());
        add(line);
        flush();
    }

    @Override
    public void onEpochEnd(EpochEnd event) {
        EpochStatistics statistics = event.statistics();
        for (int i = 0; i < statistics.probeIterations().length; i++) {
            ObjectNode line = JSON.createObjectNode()
                    .put("kind", "iteration")
                    .put("epoch", event.epoch())
                    .put("iteration", statistics.probeIterations()[i]);
            putNumber(line, "loss", statistics.probeLoss()[i]);
            putNumber(line, "lr", statistics.probeLearningRate()[i]);
            add(line);
        }
        ObjectNode line = JSON.createObjectNode()
                .put("epoch", event.epoch())
                .put("iteration", event.state().iteration());
        putNumber(line, "train_loss", event.trainLoss());
        for (Map.Entry<String, Double> metric : EvaluationMetrics.of("val_", event.validation(), task).entrySet()) {
            putNumber(line, metric.getKey(), metric.getValue());
        }
        putNumber(line, "lr", event.learningRate());
        putNumber(line, "epoch_seconds", event.epochSeconds());
        putNumber(line, "samples_per_second", event.samplesPerSecond());
        putNumber(line, "allreduce_share", event.allReduce().total());
        putNumber(line, "allreduce_wait_share", event.allReduce().waiting());
        line.put("attempts", event.attempts());
        putRanks(line, event.ranks());
        event.slowRank().ifPresent(slow -> putSlowRank(line, slow));
        putNumber(line, "grad_norm_mean", statistics.gradientNormMean());
        putNumber(line, "grad_norm_max", statistics.gradientNormMax());
        ObjectNode ratios = line.putObject("update_ratio");
        for (int i = 0; i < statistics.layerNames().length; i++) {
            putNumber(ratios, statistics.layerNames()[i], statistics.updateRatioMean()[i]);
        }
        if (probe != null) {
            putActivations(line, probe.measure(event.state()));
        }
        add(line);
        flush();
    }

    /** One entry per rank, in rank order: where its epoch went and where it ran. */
    private static void putRanks(ObjectNode line, List<RankTimes> ranks) {
        ArrayNode entries = line.putArray("ranks");
        for (RankTimes rank : ranks) {
            ObjectNode entry = entries.addObject()
                    .put("rank", rank.rank())
                    .put("executor", rank.executor())
                    .put("host", rank.host());
            putNumber(entry, "compute_seconds", rank.computeSeconds());
            putNumber(entry, "allreduce_seconds", rank.allReduceSeconds());
            putNumber(entry, "allreduce_wait_seconds", rank.allReduceWaitSeconds());
        }
    }

    /** Only when a rank is named; the report reads it back to show the same line as the console. */
    private static void putSlowRank(ObjectNode line, SlowRank slow) {
        ObjectNode entry = line.putObject("slow_rank")
                .put("rank", slow.rank())
                .put("executor", slow.executor())
                .put("host", slow.host());
        putNumber(entry, "compute_ratio", slow.ratio());
        entry.put("slow_epochs", slow.slowEpochs()).put("window", slow.window());
    }

    /** The rank a {@code slow_rank} object of {@link #FILE} names. */
    static SlowRank slowRank(JsonNode entry) {
        return new SlowRank(entry.path("rank").asInt(), text(entry, "executor"), text(entry, "host"),
                entry.path("compute_ratio").asDouble(Double.NaN), entry.path("slow_epochs").asInt(),
                entry.path("window").asInt());
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Three objects keyed by layer, like {@code update_ratio}; dead units only for ReLU layers. */
    private static void putActivations(ObjectNode line, List<ActivationProbe.LayerStatistics> layers) {
        ObjectNode mean = line.putObject("activation_mean");
        ObjectNode std = line.putObject("activation_std");
        ObjectNode dead = line.putObject("dead_relu_fraction");
        for (ActivationProbe.LayerStatistics layer : layers) {
            putNumber(mean, layer.layer(), layer.mean());
            putNumber(std, layer.layer(), layer.std());
            if (!Double.isNaN(layer.deadReluFraction())) {
                dead.put(layer.layer(), layer.deadReluFraction());
            }
        }
    }

    private void add(ObjectNode line) {
        try {
            lines.add(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flush() {
        output.writeText(FILE, String.join("\n", lines) + "\n");
    }

    /** JSON has no NaN: a metric without data is written as null. */
    static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    private static int epochOf(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node.path("epoch").asInt(Integer.MAX_VALUE);
        } catch (JsonProcessingException e) {
            return Integer.MAX_VALUE;
        }
    }
}
