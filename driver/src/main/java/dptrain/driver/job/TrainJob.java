package dptrain.driver.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointListener;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.SpecJson;
import dptrain.driver.config.Task;
import dptrain.driver.config.TrainingSpec;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.LabelEncoding;
import dptrain.driver.data.PreparedData;
import dptrain.driver.loop.SparkEpochLauncher;
import dptrain.driver.loop.SparkEvaluator;
import dptrain.driver.loop.Trainer;
import dptrain.driver.model.NetworkFactory;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.driver.report.MetricsLog;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.driver.report.ProgressLog;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochPlan;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceProfile;
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

    public static final String VERSION = "0.1.0";
    public static final String SUMMARY_FILE = "summary.json";

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Spark's own key for how long a starting application waits for its executors. */
    private static final String REGISTRATION_WAIT = "spark.scheduler.maxRegisteredResourcesWaitingTime";

    private TrainJob() {
    }

    public static ObjectNode run(SparkSession spark, JobSpec spec) {
        long begin = System.nanoTime();
        TrainingSpec training = spec.training();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String specJson = SpecJson.toJson(spec);
        LOG.info("dptrain {} job spec: {}", VERSION, specJson);

        checkSlots(context, training.workers());
        OutputDirectory output = new OutputDirectory(spec.output().dir(), hadoop);
        output.checkWritable();
        Checkpointer checkpointer = new Checkpointer(spec.checkpoint().dir(), spec.checkpoint().keep(), hadoop);
        Optional<Checkpoint> resume = spec.checkpoint().resume() ? checkpointer.latest() : Optional.empty();

        LayerSpec outputLayer = spec.model().outputLayer();
        PreparedData data = DatasetPreparer.prepare(spark, spec.data(), labelEncoding(outputLayer),
                training.workers(), training.seed());
        String configuration = NetworkFactory.configuration(spec.model(), training.optimizer(), data.featureCount(),
                training.seed()).toJson();
        NetworkState start = resume.map(checkpoint -> resumeFrom(checkpoint, configuration, checkpointer))
                .orElseGet(() -> NetworkState.initial(configuration));

        int classes = outputLayer.loss() == Loss.MCXENT ? outputLayer.units() : 0;
        boolean binary = outputLayer.loss() == Loss.BCE;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        EpochPlan template = new EpochPlan(configuration, null, training.seed(), training.batchSize(),
                shardRows(data, training.workers(), context), classes, secret, "dptrain-" + UUID.randomUUID(),
                training.collectiveTimeoutSeconds());
        IUpdater updater = NetworkFactory.updater(training.optimizer());
        Task task = spec.task();
        Trainer trainer = new Trainer(
                new SparkEpochLauncher(context, data.train(), template, training.epochs()),
                new SparkEvaluator(context, data.validation(), configuration, classes, binary, "validation"),
                (iteration, epoch) -> updater.getLearningRate(iteration, epoch),
                training.epochRetries(),
                List.of(new MetricsLog(output, task),
                        new CheckpointListener(checkpointer, configuration, specJson, training.seed(), VERSION),
                        new ProgressLog(task)));
        NetworkState end = trainer.train(start, training.epochs());

        ObjectNode summary = JSON.createObjectNode();
        if (data.test() != null) {
            EvaluationTotals test = new SparkEvaluator(context, data.test(), configuration, classes, binary, "test")
                    .evaluate(end);
            putMetrics(summary, EvaluationMetrics.of("test_", test, task));
            if (task == Task.CLASSIFICATION) {
                summary.set("test_confusion", confusion(test, binary ? 2 : classes));
            }
        }
        EvaluationTotals validation = new SparkEvaluator(context, data.validation(), configuration, classes, binary,
                "validation").evaluate(end);
        putMetrics(summary, EvaluationMetrics.of("val_", validation, task));
        summary.put("epochs_run", end.epoch() - start.epoch())
                .put("epochs_total", end.epoch())
                .put("resumed_from_epoch", start.epoch())
                .put("iterations", end.iteration())
                .put("total_seconds", (System.nanoTime() - begin) / 1e9)
                .put("train_rows", data.trainRows())
                .put("validation_rows", data.validationRows())
                .put("test_rows", data.testRows())
                .put("workers", training.workers())
                .put("task", task.name().toLowerCase())
                .put("model", output.location(ModelExport.FILE))
                .put("version", VERSION);

        ModelExport.write(output, end.restore(configuration).model(), metadata(spec, specJson, data, task, end).toString());
        output.writeText(SUMMARY_FILE, summary.toPrettyString() + "\n");
        LOG.info("summary: {}", summary);
        return summary;
    }

    private static LabelEncoding labelEncoding(LayerSpec outputLayer) {
        return switch (outputLayer.loss()) {
            case MCXENT -> new LabelEncoding.ClassIndices(outputLayer.units());
            case BCE -> new LabelEncoding.ClassIndices(2);
            case MSE, MAE -> new LabelEncoding.Values(outputLayer.units());
        };
    }

    private static NetworkState resumeFrom(Checkpoint checkpoint, String configuration, Checkpointer checkpointer) {
        if (!checkpoint.configurationJson().equals(configuration)) {
            throw new BadInputException("checkpoint.dir: the checkpoint of epoch " + checkpoint.state().epoch()
                    + " in " + checkpointer.location() + " was written for a different model, optimizer or seed;"
                    + " use another checkpoint.dir, or checkpoint.resume=false to start over");
        }
        LOG.info("resuming from the checkpoint of epoch {} (iteration {}) in {}", checkpoint.state().epoch(),
                checkpoint.state().iteration(), checkpointer.location());
        return checkpoint.state();
    }

    /**
     * A barrier stage needs all its tasks running at once. Spark would fail such a stage only
     * after training began, with a message about barrier scheduling (and on a cluster only after
     * retrying its slot check for minutes); this says it up front.
     */
    private static void checkSlots(JavaSparkContext context, int workers) {
        String master = context.master();
        int slots;
        if (master.equals("local")) {
            slots = 1;
        } else if (master.matches("local\\[\\d+]")) {
            slots = Integer.parseInt(master.substring(6, master.length() - 1));
        } else if (master.matches("local\\[\\*]")) {
            slots = Runtime.getRuntime().availableProcessors();
        } else if (master.startsWith("local")) {
            return; // local[N,F] and local-cluster[...]: Spark's own check applies
        } else {
            long waitMillis = context.getConf().getTimeAsMs(REGISTRATION_WAIT, "30s");
            slots = clusterSlots(context.sc(), workers, waitMillis);
            if (workers > slots) {
                throw new BadInputException("training.workers: " + workers + " workers need " + workers
                        + " task slots at once, but the executors of Spark master " + master + " have " + slots
                        + " (waited " + Math.round(waitMillis / 1000.0) + " s for more to register, "
                        + REGISTRATION_WAIT + ")");
            }
            return;
        }
        if (workers > slots) {
            throw new BadInputException("training.workers: " + workers + " workers need " + workers
                    + " task slots at once, but Spark master " + master + " has " + slots);
        }
    }

    /**
     * The task slots of a cluster's executors, counted the way Spark's own barrier check counts
     * them ({@code SparkContext.maxNumConcurrentTasks}: each executor's cores over
     * {@code spark.task.cpus}, other task resources included). Executors register after the
     * context starts, so this waits up to {@code waitMillis} for {@code workers} slots to appear.
     * Both calls are Spark-internal ({@code private[spark]} in Scala, public to Java); no public API
     * tells a driver its executors' cores, and counting differently from Spark would let a barrier
     * stage through that Spark then refuses.
     */
    private static int clusterSlots(SparkContext spark, int workers, long waitMillis) {
        ResourceProfile profile = spark.resourceProfileManager().defaultResourceProfile();
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        int slots = spark.maxNumConcurrentTasks(profile);
        while (slots < workers && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slots = spark.maxNumConcurrentTasks(profile);
        }
        return slots;
    }

    /** Row counts of the shards, indexed by rank (partition r holds rank r's block). */
    private static long[] shardRows(PreparedData data, int workers, JavaSparkContext context) {
        context.setJobDescription("shard sizes");
        List<Integer> rows = data.train().map(block -> block.rows()).collect();
        if (rows.size() != workers) {
            throw new IllegalStateException("expected " + workers + " shards, got " + rows.size());
        }
        return rows.stream().mapToLong(Integer::longValue).toArray();
    }

    private static ObjectNode metadata(JobSpec spec, String specJson, PreparedData data, Task task, NetworkState end) {
        ObjectNode metadata = JSON.createObjectNode()
                .put("format", 1)
                .put("version", VERSION)
                .put("created_at", Instant.now().toString())
                .put("task", task.name().toLowerCase())
                .put("seed", spec.training().seed())
                .put("epochs", end.epoch())
                .put("iterations", end.iteration())
                .put("feature_count", data.featureCount())
                .put("train_data", spec.data().train());
        try {
            metadata.set("spec", JSON.readTree(specJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        ArrayNode labels = metadata.putArray("label_names");
        data.labelNames().forEach(labels::add);
        ArrayNode columns = metadata.putArray("feature_columns");
        data.featureColumns().forEach(columns::add);
        ObjectNode scaling = metadata.putObject("scaling");
        ArrayNode offset = scaling.putArray("offset");
        for (float value : data.scaling().offset()) {
            offset.add(value);
        }
        ArrayNode divisor = scaling.putArray("divisor");
        for (float value : data.scaling().divisor()) {
            divisor.add(value);
        }
        return metadata;
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
