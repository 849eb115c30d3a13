package dptrain.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.config.Task;
import dptrain.driver.loop.EpochEnd;
import dptrain.driver.loop.TrainingListener;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code output.dir/metrics.jsonl}: one JSON object per epoch. On resume, lines of epochs after
 * the checkpoint (written before a crash, then lost with the state) are dropped, so the file
 * always describes the run that the checkpoints continue.
 */
public final class MetricsLog implements TrainingListener {

    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputDirectory output;
    private final Task task;
    private final List<String> lines = new ArrayList<>();

    public MetricsLog(OutputDirectory output, Task task) {
        this.output = output;
        this.task = task;
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
    public void onEpochEnd(EpochEnd event) {
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
        putNumber(line, "allreduce_share", event.allReduceShare());
        line.put("attempts", event.attempts());
        try {
            lines.add(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
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
