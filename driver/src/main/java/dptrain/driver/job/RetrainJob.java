package dptrain.driver.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.BuildVersion;
import dptrain.driver.config.CheckpointSpec;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.OutputSpec;
import dptrain.driver.config.RetrainMetric;
import dptrain.driver.config.SpecJson;
import dptrain.driver.config.Task;
import dptrain.driver.data.DataRange;
import dptrain.driver.data.PreparedData;
import dptrain.driver.engine.SparkEvaluator;
import dptrain.driver.registry.ModelRegistry;
import dptrain.driver.registry.RegistryVersion;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.driver.report.ModelCard;
import dptrain.driver.report.ModelExport;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled retraining ({@code dptrain retrain}): train a candidate on the new data, starting from
 * the registry's current model, evaluate the candidate and the current model on the same holdout
 * rows, store the candidate as the next registry version, and make it current only if it is better
 * by more than {@code retrain.min_improvement} on {@code retrain.metric}. A rejected candidate is
 * kept, marked rejected with the reason, so every scheduled run leaves its trace and can be promoted
 * by hand later. The first run on an empty registry trains from scratch and promotes {@code v0001}.
 *
 * <p>The holdout is {@code data.test} when the spec has one, else the validation split of the new
 * data (the seeded split, so the candidate never trained on it). Both models see exactly the same
 * blocks, normalised with the current model's statistics.
 */
public final class RetrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RetrainJob() {
    }

    /**
     * Runs one retraining. Bad input (the spec, the data, a current model the spec cannot continue)
     * fails with a one-line {@link BadInputException} and leaves the registry as it was.
     */
    public static RetrainOutcome run(SparkSession spark, JobSpec spec) {
        return run(spark, spec, state -> {
        });
    }

    /** @param onStart told the state the candidate's training starts from */
    static RetrainOutcome run(SparkSession spark, JobSpec spec, Consumer<NetworkState> onStart) {
        return TrainJob.onDevice(spark, spec, () -> retrain(spark, spec, onStart));
    }

    private static RetrainOutcome retrain(SparkSession spark, JobSpec spec, Consumer<NetworkState> onStart) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ModelRegistry registry = ModelRegistry.forWriting(spec.retrain().registryDir(), hadoop, "registry.dir");
        if (spec.data().test() == null && spec.data().validationFraction() == 0) {
            throw new BadInputException("data.test: dptrain retrain compares models on a holdout; set data.test or"
                    + " data.validation_fraction > 0");
        }
        Optional<String> parent = registry.current();
        WarmStart warm = parent.map(name -> warmStart(registry, name, spec, hadoop, onStart)).orElse(null);
        String version = registry.nextVersion();
        String dir = registry.location(version);
        // the candidate's run writes into its version directory; each retrain starts from the current model,
        // never from an older run's checkpoints
        JobSpec run = new JobSpec(spec.data(), spec.model(), spec.training(), new OutputSpec(dir),
                new CheckpointSpec(dir + "/checkpoints", spec.checkpoint().keep(), false), spec.earlyStopping(),
                spec.monitoring(), spec.retrain());
        LOG.info("retrain: candidate {} in {}, {}", version, dir,
                warm == null ? "from scratch (the registry has no current model)" : "warm-started from " + warm.version());
        try {
            TrainedRun trained = TrainJob.train(spark, run, warm);
            return decide(spark, spec, registry, version, warm, trained);
        } catch (RuntimeException e) {
            registry.discardIncomplete(version);
            throw e;
        }
    }

    private static RetrainOutcome decide(SparkSession spark, JobSpec spec, ModelRegistry registry, String version,
                                         WarmStart warm, TrainedRun trained) {
        Task task = trained.task();
        RetrainMetric metric = spec.retrain().metricFor(task);
        PreparedData data = trained.data();
        boolean onTest = data.test() != null;
        String prefix = onTest ? "test_" : "val_";
        JavaRDD<ShardBlock> holdout = onTest ? data.test() : data.validation();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkEvaluator evaluator = new SparkEvaluator(context, holdout, trained.configuration(), trained.classes(),
                trained.binary(), "retrain holdout");
        Map<String, Double> candidate = EvaluationMetrics.of(prefix, evaluator.evaluate(trained.end()), task);
        Map<String, Double> current = warm == null ? null : EvaluationMetrics.of(prefix, evaluator.evaluate(
                new NetworkState(warm.model().params().toFloatVector(), new float[0], 0, 0)), task);
        String metricName = prefix + metric.key();
        double candidateValue = candidate.get(metricName);
        double currentValue = current == null ? Double.NaN : current.get(metricName);
        double margin = spec.retrain().minImprovement();
        boolean promoted;
        String reason;
        if (!Double.isFinite(candidateValue)) {
            promoted = false;
            reason = metricName + " of the candidate is " + candidateValue;
        } else if (warm == null) {
            promoted = true;
            reason = "first version of the registry (" + metricName + " " + format(candidateValue) + ")";
        } else {
            double improvement = metric.higherIsBetter() ? candidateValue - currentValue : currentValue - candidateValue;
            promoted = improvement > margin;
            reason = metricName + " " + format(candidateValue) + " vs " + format(currentValue) + " of " + warm.version()
                    + ": " + (improvement >= 0 ? "better by " + format(improvement) : "worse by " + format(-improvement))
                    + (promoted ? ", more than" : ", not more than") + " retrain.min_improvement " + format(margin);
        }

        ObjectNode metrics = JSON.createObjectNode()
                .put("holdout", onTest ? "test" : "validation")
                .put("holdout_rows", onTest ? data.testRows() : data.validationRows())
                .put("metric", metricName);
        putMetrics(metrics.putObject("candidate"), candidate);
        if (current == null) {
            metrics.putNull("current");
        } else {
            putMetrics(metrics.putObject("current").put("version", warm.version()), current);
        }
        registry.directory(version).writeText(ModelRegistry.METRICS, metrics.toPrettyString() + "\n");
        deleteCheckpoints(registry.location(version) + "/checkpoints", spark.sparkContext().hadoopConfiguration());

        ObjectNode meta = JSON.createObjectNode()
                .put("version", version)
                .put("status", promoted ? RegistryVersion.PROMOTED : RegistryVersion.REJECTED)
                .put("reason", reason)
                .put("created_at", Instant.now().toString())
                .put("parent", warm == null ? null : warm.version())
                .put("spec_sha256", sha256(SpecJson.toJson(spec)))
                .put("metric", metricName)
                .put("higher_is_better", metric.higherIsBetter())
                .put("min_improvement", margin);
        putNumber(meta, "candidate_metric", candidateValue);
        putNumber(meta, "current_metric", currentValue);
        meta.put("holdout", onTest ? "test" : "validation");
        ObjectNode dataNode = meta.putObject("data")
                .put("train", spec.data().train())
                .put("test", spec.data().test())
                .put("version", data.trainVersion())
                .put("train_rows", data.trainRows())
                .put("validation_rows", data.validationRows())
                .put("test_rows", data.testRows());
        DataRange range = data.trainRange();
        if (range == null) {
            dataNode.putNull("partition_column").putNull("since").putNull("first").putNull("last");
        } else {
            dataNode.put("partition_column", range.column()).put("since", range.since()).put("first", range.first())
                    .put("last", range.last()).put("partitions", range.partitions());
        }
        if (warm == null) {
            meta.putNull("warm_start");
        } else {
            meta.putObject("warm_start").put("from", warm.version()).put("updater_state", "fresh");
        }
        meta.put("dptrain_version", BuildVersion.current());
        registry.writeMeta(version, meta);
        if (promoted) {
            registry.point(version);
        }
        LOG.info("retrain: {} {}: {}", version, promoted ? "promoted" : "rejected", reason);
        return new RetrainOutcome(version, promoted, candidateValue, currentValue, metricName, reason);
    }

    /** The current model, checked against the new spec before anything is trained or written. */
    private static WarmStart warmStart(ModelRegistry registry, String version, JobSpec spec, Configuration hadoop,
                                       Consumer<NetworkState> onStart) {
        ModelExport.Loaded loaded;
        try {
            loaded = ModelExport.read(registry.location(version) + "/" + ModelExport.FILE, hadoop, false);
        } catch (BadInputException e) {
            throw new BadInputException("registry.dir: the current version " + version + ": " + e.getMessage(), e);
        }
        Network model = loaded.network();
        ModelCard card = loaded.card();
        String normalize = card.specData("normalize").asText("");
        String wanted = spec.data().normalize().name().toLowerCase(Locale.ROOT);
        if (!normalize.equals(wanted)) {
            throw new BadInputException("data.normalize: the current model " + version + " was trained with normalize "
                    + normalize + ", got " + wanted + "; retrain keeps the model's normalisation");
        }
        String format = card.dataFormat() == null ? "" : card.dataFormat().name().toLowerCase(Locale.ROOT);
        String wantedFormat = spec.data().format().name().toLowerCase(Locale.ROOT);
        if (!format.equals(wantedFormat)) {
            throw new BadInputException("data.format: the current model " + version + " was trained on " + format
                    + " data, got " + wantedFormat);
        }
        return new WarmStart(version, model, card.scaling(), card.labelNames(), card.featureColumns(), onStart);
    }

    private static void deleteCheckpoints(String dir, Configuration hadoop) {
        try {
            Path path = new Path(dir);
            path.getFileSystem(hadoop).delete(path, true);
        } catch (IOException e) {
            LOG.warn("cannot delete the candidate's checkpoints {}: {}", dir, e.getMessage());
        }
    }

    private static void putMetrics(ObjectNode node, Map<String, Double> metrics) {
        metrics.forEach((key, value) -> putNumber(node, key, value));
    }

    private static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
