package dptrain.driver.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.BuildVersion;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointListener;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.EarlyStoppingSpec;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.MonitoringSpec;
import dptrain.driver.config.OnDivergence;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.SpecJson;
import dptrain.driver.config.Task;
import dptrain.driver.config.TrainingSpec;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.PreparedData;
import dptrain.driver.loop.BarrierStages;
import dptrain.driver.loop.DivergencePolicy;
import dptrain.driver.loop.EpochEnd;
import dptrain.driver.loop.EpochLauncher;
import dptrain.driver.loop.JobDescription;
import dptrain.driver.loop.SparkEpochLauncher;
import dptrain.driver.loop.SparkEvaluator;
import dptrain.driver.loop.Trainer;
import dptrain.driver.loop.TrainingListener;
import dptrain.driver.model.ModelOutput;
import dptrain.driver.model.NetworkFactory;
import dptrain.driver.report.ActivationProbe;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.driver.report.MetricsLog;
import dptrain.driver.report.ModelCard;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.driver.report.ProgressLog;
import dptrain.driver.report.ReportHtml;
import dptrain.driver.stopping.EarlyStopping;
import dptrain.worker.device.DeviceBinding;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochPlan;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training job from a validated spec: check the output, read the data, build or resume the
 * state, run the epochs, evaluate on the test set, write {@code summary.json} and
 * {@code model.zip}. Everything that can be wrong with the input fails here before the first
 * epoch, and nothing is written to {@code output.dir} or {@code checkpoint.dir} before that.
 */
public final class TrainJob {

    private static final String VERSION = BuildVersion.current();
    public static final String SUMMARY_FILE = "summary.json";

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Spark's own key for how long a starting application waits for its executors. */

    private TrainJob() {
    }

    public static ObjectNode run(SparkSession spark, JobSpec spec) {
        return onDevice(spark, spec, () -> train(spark, spec, null).summary());
    }

    /**
     * Runs {@code job} with every task of it (epochs and evaluations) binding its device from the
     * spec (DeviceBinding); the caller's value (a notebook's, say) comes back afterwards.
     */
    static <T> T onDevice(SparkSession spark, JobSpec spec, java.util.function.Supplier<T> job) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String callersDevice = context.getLocalProperty(DeviceBinding.TASK_PROPERTY);
        context.setLocalProperty(DeviceBinding.TASK_PROPERTY, spec.training().device().specValue());
        try {
            return job.get();
        } finally {
            context.setLocalProperty(DeviceBinding.TASK_PROPERTY, callersDevice);
        }
    }

    /**
     * The whole run with what {@link RetrainJob} needs back.
     *
     * @param warm where to start from instead of a fresh network (with its normalisation, label and
     *             feature checks), or {@code null}
     */
    static TrainedRun train(SparkSession spark, JobSpec spec, WarmStart warm) {
        long begin = System.nanoTime();
        TrainingSpec training = spec.training();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String specJson = SpecJson.toJson(spec);
        LOG.info("dptrain {} job spec: {}", VERSION, specJson);

        BarrierStages.slotShortage(context, training.workers()).ifPresent(shortage -> {
            throw new BadInputException("training.workers: " + shortage);
        });
        OutputDirectory output = new OutputDirectory(spec.output().dir(), hadoop);
        output.checkWritable();
        Checkpointer checkpointer = new Checkpointer(spec.checkpoint().dir(), spec.checkpoint().keep(), hadoop);
        Optional<Checkpoint> resume = spec.checkpoint().resume() ? checkpointer.latest() : Optional.empty();
        // Early stopping's best state counts only for the run that the checkpoints continue.
        Optional<Checkpoint> best = resume.isPresent() && spec.earlyStopping() != null ? checkpointer.best()
                : Optional.empty();

        String dl4jJson = spec.model().dl4jJson();
        String imported = dl4jJson == null ? null : NetworkFactory.readConfiguration(dl4jJson, hadoop);
        ModelOutput outputLayer = imported == null ? ModelOutput.of(spec.model().outputLayer())
                : ModelOutput.of(imported, dl4jJson);
        PreparedData data = DatasetPreparer.prepare(spark, spec.data(), outputLayer.labelEncoding(),
                training.workers(), training.seed(), warm == null ? null : warm.scaling());
        spec.data().checkShape(data.featureCount());
        if (warm != null) {
            warm.checkData(data);
        }
        // the schedule runs on the global iteration count; "decay over the whole run" needs its length
        int iterationsPerEpoch = Math.toIntExact((data.trainRows() + training.batchSize() - 1) / training.batchSize());
        OptimizerSpec optimizer = training.optimizer().forRun(iterationsPerEpoch * training.epochs());
        String configuration;
        if (imported != null) {
            NetworkFactory.checkInputWidth(imported, dl4jJson, data.featureCount());
            configuration = imported;
        } else {
            configuration = NetworkFactory.configuration(spec.model(), optimizer, spec.data().shape(),
                    data.featureCount(), training.seed()).toJson();
        }
        NetworkState start = warm != null ? warm.start(configuration)
                : resume.map(checkpoint -> resumeFrom(checkpoint, configuration, checkpointer))
                .orElseGet(() -> NetworkState.initial(configuration));
        double learningRateScale = resume.map(Checkpoint::learningRateScale).orElse(1.0);
        best.ifPresent(checkpoint -> checkConfiguration(checkpoint, configuration, checkpointer));

        int classes = outputLayer.classes();
        boolean binary = outputLayer.binary();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        EpochPlan template = new EpochPlan(configuration, null, training.seed(), training.batchSize(),
                BarrierStages.shardRows(context, data, training.workers()), classes, secret, "dptrain-" + UUID.randomUUID(),
                training.collectiveTimeoutSeconds(),
                NetworkFactory.stepSettings(training, spec.monitoring().logEveryIterations()));
        // before any listener writes: a bad rendezvous setting is bad input
        EpochLauncher launcher = new SparkEpochLauncher(context, data.train(), template, training.epochs());
        IUpdater updater = NetworkFactory.updater(optimizer);
        Task task = outputLayer.task();
        Function<EpochEnd, Checkpoint> checkpointOf = CheckpointListener.checkpoints(task, configuration, specJson,
                training.seed(), VERSION);
        EarlyStopping stopping = spec.earlyStopping() == null ? null
                : new EarlyStopping(spec.earlyStopping(), task, checkpointer, checkpointOf, best);
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new MetricsLog(output, task, probe(spec.monitoring(), configuration, data)));
        if (stopping != null) {
            listeners.add(stopping);
        }
        listeners.add(new CheckpointListener(checkpointer, checkpointOf));
        listeners.add(new ProgressLog(task));
        listeners.add(ReportHtml.afterEachEpoch(output, VERSION, specJson));
        Trainer trainer = new Trainer(
                launcher,
                SparkEvaluator.validation(context, data.validation(), configuration, classes, binary, training.epochs()),
                (iteration, epoch) -> updater.getLearningRate(iteration, epoch),
                training.epochRetries(),
                DivergencePolicy.of(training.onDivergence() == OnDivergence.ROLLBACK),
                listeners);
        NetworkState last = trainer.train(start, learningRateScale, training.epochs());
        // With early stopping, the best epoch's state is the result: the model, the test metrics.
        NetworkState end = stopping == null ? last : stopping.best().map(Checkpoint::state).orElse(last);

        ObjectNode summary = JSON.createObjectNode();
        if (data.test() != null) {
            EvaluationTotals test = SparkEvaluator.test(context, data.test(), configuration, classes, binary)
                    .evaluate(end);
            putMetrics(summary, EvaluationMetrics.of("test_", test, task));
            if (task == Task.CLASSIFICATION) {
                summary.set("test_confusion", confusion(test, binary ? 2 : classes));
            }
        }
        EvaluationTotals validation = new SparkEvaluator(context, data.validation(), configuration, classes, binary,
                "validation").evaluate(end);
        putMetrics(summary, EvaluationMetrics.of("val_", validation, task));
        if (stopping != null) {
            putEarlyStopping(summary, spec.earlyStopping(), stopping, last);
        }
        summary.put("epochs_run", last.epoch() - start.epoch())
                .put("epochs_total", last.epoch())
                .put("resumed_from_epoch", start.epoch())
                .put("iterations", last.iteration())
                .put("total_seconds", (System.nanoTime() - begin) / 1e9)
                .put("train_rows", data.trainRows())
                .put("validation_rows", data.validationRows())
                .put("test_rows", data.testRows())
                .put("workers", training.workers())
                .put("task", task.name().toLowerCase())
                .put("model", output.location(ModelExport.FILE))
                .put("version", VERSION);

        ModelExport.write(output, end.restore(configuration).model(), card(spec, specJson, data, task, end, warm));
        output.writeText(SUMMARY_FILE, summary.toPrettyString() + "\n");
        ReportHtml.write(output);
        LOG.info("summary: {}", summary);
        return new TrainedRun(summary, data, configuration, end, task, classes, binary);
    }

    /** {@code best_epoch}, {@code best_<metric>}, {@code stopped_early}, {@code stopped_at_epoch}. */
    private static void putEarlyStopping(ObjectNode summary, EarlyStoppingSpec spec, EarlyStopping stopping,
                                         NetworkState last) {
        String key = "best_" + spec.metric().key();
        if (stopping.best().isPresent()) {
            summary.put("best_epoch", stopping.bestEpoch());
            putMetrics(summary, Map.of(key, stopping.bestValue()));
        } else {
            summary.putNull("best_epoch").putNull(key);
        }
        summary.put("stopped_early", stopping.stoppedEarly())
                .put("stopped_at_epoch", last.epoch());
    }

    /** Activation statistics on the first rows of the validation split (of train without one). */
    private static ActivationProbe probe(MonitoringSpec monitoring, String configuration, PreparedData data) {
        if (monitoring.probeRows() == 0) {
            return null;
        }
        return ActivationProbe.firstRows(configuration, data.validationRows() > 0 ? data.validation() : data.train(),
                monitoring.probeRows());
    }

    private static NetworkState resumeFrom(Checkpoint checkpoint, String configuration, Checkpointer checkpointer) {
        checkConfiguration(checkpoint, configuration, checkpointer);
        LOG.info("resuming from the checkpoint of epoch {} (iteration {}) in {}", checkpoint.state().epoch(),
                checkpoint.state().iteration(), checkpointer.location());
        return checkpoint.state();
    }

    private static void checkConfiguration(Checkpoint checkpoint, String configuration, Checkpointer checkpointer) {
        if (!checkpoint.configurationJson().equals(configuration)) {
            throw new BadInputException("checkpoint.dir: the checkpoint of epoch " + checkpoint.state().epoch()
                    + " in " + checkpointer.location() + " was written for a different model, optimizer or seed;"
                    + " use another checkpoint.dir, or checkpoint.resume=false to start over");
        }
    }

    /** The card of {@code model.zip}; {@code warm} (or {@code null}) is the registry version a retrain started from. */
    static ModelCard card(JobSpec spec, String specJson, PreparedData data, Task task, NetworkState end,
                          WarmStart warm) {
        JsonNode canonicalSpec;
        try {
            canonicalSpec = JSON.readTree(specJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelCard(ModelCard.FORMAT, VERSION, Instant.now(), task, spec.training().seed(), end.epoch(),
                end.iteration(), data.featureCount(), spec.data().train(), spec.data().format(), canonicalSpec, null,
                data.labelNames(), data.featureColumns(), data.scaling(), null, warm == null ? null : warm.version());
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
