package dptrain.driver.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.config.SpecSection.IntKind;

import java.util.ArrayList;
import java.util.List;

/**
 * The canonical JSON form of a resolved {@link JobSpec}: every value explicit (defaults filled in,
 * enum values in their canonical spelling), keys in a fixed order (the records' component order,
 * with the YAML key names), one line, no insignificant whitespace. Equal specs give equal text, so
 * the text can be checksummed and embedded as provenance; {@link #fromJson} reads it back strictly
 * (every key required, no defaults), so a checkpoint's spec does not change when defaults do.
 */
public final class SpecJson {

    /** Bumped when the JSON layout changes incompatibly. */
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> TOP_KEYS = List.of("spec_version", "data", "model", "training", "output",
            "checkpoint", "early_stopping", "monitoring", "registry", "retrain");

    private SpecJson() {
    }

    /** The canonical one-line JSON of {@code spec}. */
    public static String toJson(JobSpec spec) {
        ObjectNode root = NODES.objectNode();
        root.put("spec_version", VERSION);

        DataSpec data = spec.data();
        ObjectNode dataNode = root.putObject("data");
        dataNode.put("format", Spelling.DATA_FORMAT.name(data.format()));
        dataNode.put("train", data.train());
        dataNode.put("test", data.test());
        dataNode.put("label", data.label());
        ArrayNode features = dataNode.putArray("features");
        data.features().forEach(features::add);
        dataNode.put("header", data.header());
        dataNode.put("validation_fraction", data.validationFraction());
        dataNode.put("normalize", Spelling.NORMALIZATION.name(data.normalize()));
        dataNode.put("scale", data.scale());
        dataNode.put("num_features", data.numFeatures());
        ArrayNode shape = dataNode.putArray("shape");
        data.shape().forEach(shape::add);
        dataNode.put("since", data.since());
        dataNode.put("partition_column", data.partitionColumn());

        ObjectNode modelNode = root.putObject("model");
        modelNode.put("l2", spec.model().l2());
        ArrayNode layers = modelNode.putArray("layers");
        for (LayerSpec layer : spec.model().layers()) {
            ObjectNode layerNode = layers.addObject();
            layerNode.put("type", Spelling.LAYER_TYPE.name(layer.type()));
            layerNode.put("units", layer.units());
            layerNode.put("activation", layer.activation() == null ? null : Spelling.ACTIVATION.name(layer.activation()));
            layerNode.put("loss", layer.loss() == null ? null : Spelling.LOSS.name(layer.loss()));
            layerNode.put("weight_init", layer.weightInit() == null ? null : Spelling.WEIGHT_INIT.name(layer.weightInit()));
            layerNode.put("dropout", layer.dropout());
            layerNode.put("filters", layer.filters());
            putSize(layerNode, "kernel", layer.kernel());
            putSize(layerNode, "stride", layer.stride());
            layerNode.put("padding", layer.padding() == null ? null : Spelling.PADDING.name(layer.padding()));
            layerNode.put("pooling", layer.pooling() == null ? null : Spelling.POOLING_TYPE.name(layer.pooling()));
        }
        modelNode.put("dl4j_json", spec.model().dl4jJson());

        TrainingSpec training = spec.training();
        ObjectNode trainingNode = root.putObject("training");
        trainingNode.put("workers", training.workers());
        trainingNode.put("batch_size", training.batchSize());
        trainingNode.put("epochs", training.epochs());
        trainingNode.put("seed", training.seed());
        OptimizerSpec optimizer = training.optimizer();
        ObjectNode optimizerNode = trainingNode.putObject("optimizer");
        optimizerNode.put("type", Spelling.OPTIMIZER_TYPE.name(optimizer.type()));
        optimizerNode.put("learning_rate", optimizer.learningRate());
        optimizerNode.put("momentum", optimizer.momentum());
        optimizerNode.put("beta1", optimizer.beta1());
        optimizerNode.put("beta2", optimizer.beta2());
        optimizerNode.put("epsilon", optimizer.epsilon());
        optimizerNode.put("rho", optimizer.rho());
        optimizerNode.put("weight_decay", optimizer.weightDecay());
        optimizerNode.put("clip_norm", optimizer.clipNorm());
        optimizerNode.put("clip_value", optimizer.clipValue());
        ScheduleSpec schedule = optimizer.schedule();
        optimizerNode.putObject("schedule")
                .put("type", Spelling.SCHEDULE_TYPE.name(schedule.type()))
                .put("warmup_iterations", schedule.warmupIterations())
                .put("step_size", schedule.stepSize())
                .put("gamma", schedule.gamma())
                .put("decay_iterations", schedule.decayIterations())
                .put("min_learning_rate", schedule.minLearningRate())
                .put("period", schedule.period())
                .put("period_multiplier", schedule.periodMultiplier());
        trainingNode.put("epoch_retries", training.epochRetries());
        trainingNode.put("collective_timeout_seconds", training.collectiveTimeoutSeconds());
        trainingNode.put("averaging", Spelling.AVERAGING_MODE.name(training.averaging()));
        trainingNode.put("averaging_frequency", training.averagingFrequency());
        trainingNode.put("average_updater_state", training.averageUpdaterState());
        trainingNode.put("on_divergence", Spelling.ON_DIVERGENCE.name(training.onDivergence()));
        trainingNode.put("device", Spelling.DEVICE.name(training.device()));

        root.putObject("output").put("dir", spec.output().dir());

        ObjectNode checkpointNode = root.putObject("checkpoint");
        checkpointNode.put("dir", spec.checkpoint().dir());
        checkpointNode.put("keep", spec.checkpoint().keep());
        checkpointNode.put("resume", spec.checkpoint().resume());
        putEarlyStopping(root, spec.earlyStopping());
        putMonitoring(root, spec.monitoring());
        root.putObject("registry").put("dir", spec.retrain().registryDir());
        root.putObject("retrain")
                .put("metric", Spelling.RETRAIN_METRIC.name(spec.retrain().metric()))
                .put("min_improvement", spec.retrain().minImprovement());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static void putSize(ObjectNode node, String key, Size2D size) {
        if (size == null) {
            node.putNull(key);
        } else {
            node.putArray(key).add(size.height()).add(size.width());
        }
    }

    /**
     * Reads the output of {@link #toJson} back; {@code fromJson(toJson(spec)).equals(spec)}.
     *
     * @throws SpecException if the text is not such JSON (a key missing or unknown, a bad value)
     */
    public static JobSpec fromJson(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new SpecException("spec json: not valid JSON" + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        SpecSection root = SpecSection.of("", tree, TOP_KEYS);
        long version = root.requiredLong("spec_version", IntKind.POSITIVE);
        if (version != VERSION) {
            throw new SpecException("spec_version: this build reads version " + VERSION + ", got " + version);
        }

        SpecSection data = root.section("data", SpecLoader.DATA_KEYS);
        DataSpec dataSpec = new DataSpec(
                data.requiredChoice("format", Spelling.DATA_FORMAT),
                data.requiredString("train"),
                data.string("test"),
                data.string("label"),
                data.strings("features"),
                data.requiredBool("header"),
                data.requiredNumber("validation_fraction"),
                data.requiredChoice("normalize", Spelling.NORMALIZATION),
                data.requiredNumber("scale"),
                data.requiredInteger("num_features", IntKind.NON_NEGATIVE),
                data.integers("shape", IntKind.POSITIVE),
                // newer than spec version 1's first checkpoints: absent means all of data.train
                data.string("since"),
                data.has("partition_column") ? data.string("partition_column") : SpecDefaults.PARTITION_COLUMN);

        SpecSection model = root.section("model", SpecLoader.MODEL_KEYS);
        List<LayerSpec> layers = new ArrayList<>();
        for (SpecSection layer : model.sections("layers", SpecLoader.LAYER_KEYS)) {
            layers.add(new LayerSpec(
                    layer.requiredChoice("type", Spelling.LAYER_TYPE),
                    layer.requiredInteger("units", IntKind.NON_NEGATIVE),
                    layer.choice("activation", Spelling.ACTIVATION, null),
                    layer.choice("loss", Spelling.LOSS, null),
                    layer.choice("weight_init", Spelling.WEIGHT_INIT, null),
                    layer.requiredNumber("dropout"),
                    layer.requiredInteger("filters", IntKind.NON_NEGATIVE),
                    layer.size2D("kernel", null),
                    layer.size2D("stride", null),
                    layer.choice("padding", Spelling.PADDING, null),
                    layer.choice("pooling", Spelling.POOLING_TYPE, null)));
        }
        ModelSpec modelSpec = new ModelSpec(layers, model.requiredNumber("l2"), model.string("dl4j_json"));
        modelSpec.checkInput(dataSpec.shape());

        SpecSection training = root.section("training", SpecLoader.TRAINING_KEYS);
        SpecSection optimizer = training.section("optimizer", SpecLoader.OPTIMIZER_KEYS);
        OptimizerSpec optimizerSpec = new OptimizerSpec(
                optimizer.requiredChoice("type", Spelling.OPTIMIZER_TYPE),
                optimizer.requiredNumber("learning_rate"),
                optimizer.requiredNumber("momentum"),
                optimizer.requiredNumber("beta1"),
                optimizer.requiredNumber("beta2"),
                optimizer.requiredNumber("epsilon"),
                optimizer.requiredNumber("rho"),
                // the optimisation keys came later: JSON written before them (older checkpoints) means their defaults
                optimizer.number("weight_decay", 0),
                optimizer.number("clip_norm", SpecDefaults.CLIP_NORM),
                optimizer.number("clip_value", SpecDefaults.CLIP_VALUE),
                optimizer.has("schedule") ? schedule(optimizer.section("schedule", SpecLoader.SCHEDULE_KEYS))
                        : ScheduleSpec.CONSTANT);
        TrainingSpec trainingSpec = new TrainingSpec(
                training.requiredInteger("workers", IntKind.POSITIVE),
                training.requiredInteger("batch_size", IntKind.POSITIVE),
                training.requiredInteger("epochs", IntKind.POSITIVE),
                training.requiredLong("seed", IntKind.ANY),
                optimizerSpec,
                training.requiredInteger("epoch_retries", IntKind.NON_NEGATIVE),
                training.requiredInteger("collective_timeout_seconds", IntKind.POSITIVE),
                training.choice("averaging", Spelling.AVERAGING_MODE, SpecDefaults.AVERAGING),
                training.integer("averaging_frequency", IntKind.POSITIVE, SpecDefaults.AVERAGING_FREQUENCY),
                training.bool("average_updater_state", SpecDefaults.AVERAGE_UPDATER_STATE),
                // newer than the first checkpoints' specs, which stopped on divergence
                training.choice("on_divergence", Spelling.ON_DIVERGENCE, OnDivergence.STOP),
                training.choice("device", Spelling.DEVICE, SpecDefaults.DEVICE));

        OutputSpec outputSpec = new OutputSpec(root.section("output", SpecLoader.OUTPUT_KEYS).requiredString("dir"));
        SpecSection checkpoint = root.section("checkpoint", SpecLoader.CHECKPOINT_KEYS);
        CheckpointSpec checkpointSpec = new CheckpointSpec(
                checkpoint.requiredString("dir"),
                checkpoint.requiredInteger("keep", IntKind.POSITIVE),
                checkpoint.requiredBool("resume"));
        return new JobSpec(dataSpec, modelSpec, trainingSpec, outputSpec, checkpointSpec, earlyStopping(root),
                monitoring(root), retrain(root, outputSpec));
    }

    private static void putEarlyStopping(ObjectNode root, EarlyStoppingSpec earlyStopping) {
        if (earlyStopping == null) {
            root.putNull("early_stopping");
            return;
        }
        root.putObject("early_stopping")
                .put("metric", Spelling.STOP_METRIC.name(earlyStopping.metric()))
                .put("patience", earlyStopping.patience())
                .put("min_delta", earlyStopping.minDelta())
                .put("mode", Spelling.STOP_MODE.name(earlyStopping.mode()));
    }

    private static void putMonitoring(ObjectNode root, MonitoringSpec monitoring) {
        root.putObject("monitoring")
                .put("log_every_iterations", monitoring.logEveryIterations())
                .put("probe_rows", monitoring.probeRows());
    }

    /**
     * Absent or null: off. The section is newer than spec version 1's first checkpoints, whose
     * specs lack it; they did not stop early.
     */
    private static EarlyStoppingSpec earlyStopping(SpecSection root) {
        if (!root.has("early_stopping")) {
            return null;
        }
        SpecSection section = root.section("early_stopping", SpecLoader.EARLY_STOPPING_KEYS);
        return new EarlyStoppingSpec(
                section.requiredChoice("metric", Spelling.STOP_METRIC),
                section.requiredInteger("patience", IntKind.POSITIVE),
                section.requiredNumber("min_delta"),
                section.requiredChoice("mode", Spelling.STOP_MODE));
    }

    /** Absent in the specs of older checkpoints: those runs had no monitoring, so read it as off. */
    private static MonitoringSpec monitoring(SpecSection root) {
        if (!root.has("monitoring")) {
            return new MonitoringSpec(0, 0);
        }
        SpecSection section = root.section("monitoring", SpecLoader.MONITORING_KEYS);
        return new MonitoringSpec(
                section.requiredInteger("log_every_iterations", IntKind.NON_NEGATIVE),
                section.requiredInteger("probe_rows", IntKind.NON_NEGATIVE));
    }

    /** Absent in the specs of older checkpoints, which knew no registry: the defaults then. */
    private static RetrainSpec retrain(SpecSection root, OutputSpec output) {
        RetrainSpec defaults = RetrainSpec.defaults(output.dir());
        String dir = root.has("registry") ? root.section("registry", SpecLoader.REGISTRY_KEYS).requiredString("dir")
                : defaults.registryDir();
        if (!root.has("retrain")) {
            return new RetrainSpec(dir, defaults.metric(), defaults.minImprovement());
        }
        SpecSection retrain = root.section("retrain", SpecLoader.RETRAIN_KEYS);
        return new RetrainSpec(dir, retrain.requiredChoice("metric", Spelling.RETRAIN_METRIC),
                retrain.requiredNumber("min_improvement"));
    }

    private static ScheduleSpec schedule(SpecSection schedule) {
        return new ScheduleSpec(
                schedule.requiredChoice("type", Spelling.SCHEDULE_TYPE),
                schedule.requiredInteger("warmup_iterations", IntKind.NON_NEGATIVE),
                schedule.requiredInteger("step_size", IntKind.NON_NEGATIVE),
                schedule.requiredNumber("gamma"),
                schedule.requiredInteger("decay_iterations", IntKind.NON_NEGATIVE),
                schedule.requiredNumber("min_learning_rate"),
                schedule.requiredInteger("period", IntKind.NON_NEGATIVE),
                schedule.requiredInteger("period_multiplier", IntKind.NON_NEGATIVE));
    }
}
