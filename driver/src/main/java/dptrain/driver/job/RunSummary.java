package dptrain.driver.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BuildVersion;
import dptrain.driver.config.EarlyStoppingSpec;
import dptrain.driver.config.Task;
import dptrain.driver.engine.SparkEvaluator;
import dptrain.driver.engine.TrainingListener;
import dptrain.driver.engine.TrainingResult;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.driver.stopping.EarlyStopping;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code summary.json}, once training has ended: the result state evaluated on the test set (with
 * its confusion matrix) and on the validation split, early stopping's outcome, and what the run
 * was (epochs, iterations, rows, workers, time, where the model is).
 */
final class RunSummary implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(RunSummary.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JavaSparkContext context;
    private final RunInputs inputs;
    private final int workers;
    private final EarlyStoppingSpec stoppingSpec;
    private final EarlyStopping stopping;
    private final OutputDirectory output;
    private final long begin;
    private ObjectNode summary;

    /**
     * @param stopping the run's early stopping, or {@code null}
     * @param begin    {@link System#nanoTime} when the job began (data preparation included)
     */
    RunSummary(JavaSparkContext context, RunInputs inputs, int workers, EarlyStoppingSpec stoppingSpec,
               EarlyStopping stopping, OutputDirectory output, long begin) {
        this.context = context;
        this.inputs = inputs;
        this.workers = workers;
        this.stoppingSpec = stoppingSpec;
        this.stopping = stopping;
        this.output = output;
        this.begin = begin;
    }

    /** What {@code summary.json} holds, once written. */
    ObjectNode summary() {
        return summary;
    }

    @Override
    public void onResult(TrainingResult result) {
        Task task = inputs.output().task();
        int classes = inputs.output().classes();
        boolean binary = inputs.output().binary();
        String configuration = result.configurationJson();
        NetworkState end = result.state();
        ObjectNode node = JSON.createObjectNode();
        if (inputs.data().test() != null) {
            EvaluationTotals test = SparkEvaluator.test(context, inputs.data().test(), configuration, classes, binary)
                    .evaluate(end);
            putMetrics(node, EvaluationMetrics.of("test_", test, task));
            if (task == Task.CLASSIFICATION) {
                node.set("test_confusion", confusion(test, binary ? 2 : classes));
            }
        }
        EvaluationTotals validation = new SparkEvaluator(context, inputs.data().validation(), configuration, classes,
                binary, "validation").evaluate(end);
        putMetrics(node, EvaluationMetrics.of("val_", validation, task));
        if (stopping != null) {
            putEarlyStopping(node, result.last());
        }
        node.put("epochs_run", result.epochsRun())
                .put("epochs_total", result.last().epoch())
                .put("resumed_from_epoch", result.start().epoch())
                .put("iterations", result.last().iteration())
                .put("total_seconds", (System.nanoTime() - begin) / 1e9)
                .put("train_rows", inputs.data().trainRows())
                .put("validation_rows", inputs.data().validationRows())
                .put("test_rows", inputs.data().testRows())
                .put("workers", workers)
                .put("task", task.name().toLowerCase())
                .put("model", output.location(ModelExport.FILE))
                .put("version", BuildVersion.current());
        output.writeText(TrainJob.SUMMARY_FILE, node.toPrettyString() + "\n");
        LOG.info("summary: {}", node);
        summary = node;
    }

    /** {@code best_epoch}, {@code best_<metric>}, {@code stopped_early}, {@code stopped_at_epoch}. */
    private void putEarlyStopping(ObjectNode node, NetworkState last) {
        String key = "best_" + stoppingSpec.metric().key();
        if (stopping.best().isPresent()) {
            node.put("best_epoch", stopping.bestEpoch());
            putMetrics(node, Map.of(key, stopping.bestValue()));
        } else {
            node.putNull("best_epoch").putNull(key);
        }
        node.put("stopped_early", stopping.stoppedEarly())
                .put("stopped_at_epoch", last.epoch());
    }

    private static void putMetrics(ObjectNode node, Map<String, Double> metrics) {
        metrics.forEach((key, value) -> {
            if (Double.isFinite(value)) {
                node.put(key, value);
            } else {
                node.putNull(key);
            }
        });
    }

    private static ArrayNode confusion(EvaluationTotals totals, int classes) {
        ArrayNode rows = JSON.createArrayNode();
        for (int actual = 0; actual < classes; actual++) {
            ArrayNode row = rows.addArray();
            for (int predicted = 0; predicted < classes; predicted++) {
                row.add(totals.confusion()[actual * classes + predicted]);
            }
        }
        return rows;
    }
}
