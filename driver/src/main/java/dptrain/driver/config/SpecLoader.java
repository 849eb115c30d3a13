package dptrain.driver.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dptrain.driver.config.SpecSection.IntKind;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a YAML job spec plus {@code key=value} overrides into a validated {@link JobSpec}.
 *
 * <p>The YAML is read into a Jackson tree, the overrides are applied to the tree, and the tree is
 * then walked strictly: unknown keys, wrong types and bad values fail with a one-line
 * {@link SpecException} naming the dotted key (for example {@code model.layers[1].activation}), the
 * value and what is allowed. Absent keys take their value from {@link SpecDefaults}. The keys and
 * their meaning are documented in {@code docs/job-spec.md}.
 */
public final class SpecLoader {

    static final List<String> TOP_KEYS = List.of("data", "model", "training", "output", "checkpoint",
            "early_stopping", "monitoring", "registry", "retrain");
    static final List<String> DATA_KEYS = List.of("format", "train", "test", "label", "features", "header",
            "validation_fraction", "normalize", "scale", "num_features", "shape", "since", "partition_column");
    static final List<String> MODEL_KEYS = List.of("l2", "layers", "dl4j_json");
    static final List<String> LAYER_KEYS = List.of("type", "units", "activation", "loss", "weight_init", "dropout",
            "filters", "kernel", "stride", "padding", "pooling");
    static final List<String> TRAINING_KEYS = List.of("workers", "batch_size", "epochs", "seed", "optimizer",
            "epoch_retries", "collective_timeout_seconds", "averaging", "averaging_frequency",
            "average_updater_state", "on_divergence", "device");
    static final List<String> OPTIMIZER_KEYS = List.of("type", "learning_rate", "momentum", "beta1", "beta2",
            "epsilon", "rho", "weight_decay", "clip_norm", "clip_value", "schedule");
    static final List<String> SCHEDULE_KEYS = List.of("type", "warmup_iterations", "step_size", "gamma",
            "decay_iterations", "min_learning_rate", "period", "period_multiplier");
    static final List<String> OUTPUT_KEYS = List.of("dir");
    static final List<String> CHECKPOINT_KEYS = List.of("dir", "keep", "resume");
    static final List<String> EARLY_STOPPING_KEYS = List.of("metric", "patience", "min_delta", "mode");
    static final List<String> MONITORING_KEYS = List.of("log_every_iterations", "probe_rows");
    static final List<String> REGISTRY_KEYS = List.of("dir");
    static final List<String> RETRAIN_KEYS = List.of("metric", "min_improvement");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[\\d{1,9}])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private SpecLoader() {
    }

    /**
     * Reads the spec file {@code yaml} (UTF-8) and applies {@code overrides} in order.
     *
     * @param yaml      the spec file on the local file system
     * @param overrides {@code key=value} strings such as {@code training.epochs=3}; may be empty
     * @throws SpecException if the file is missing or unreadable, or the spec is invalid
     */
    public static JobSpec load(Path yaml, List<String> overrides) {
        Objects.requireNonNull(yaml, "yaml");
        if (Files.isDirectory(yaml)) {
            throw new SpecException("spec file is a directory: " + yaml);
        }
        String text;
        try {
            text = Files.readString(yaml);
        } catch (NoSuchFileException e) {
            throw new SpecException("spec file not found: " + yaml);
        } catch (CharacterCodingException e) {
            throw new SpecException("spec file is not valid UTF-8: " + yaml);
        } catch (IOException e) {
            throw new SpecException("spec file not readable: " + yaml + " (" + e + ")");
        }
        return parse(text, yaml.toString(), overrides);
    }

    /**
     * Parses spec text and applies {@code overrides} in order.
     *
     * @param yamlText   the YAML spec (JSON is YAML too)
     * @param sourceName what syntax errors call the text, usually its file name
     * @param overrides  {@code key=value} strings such as {@code model.layers[0].units=128}; the value is
     *                   read as a YAML value, so {@code data.features=[a,b]} gives a list; may be empty
     * @throws SpecException if the YAML is malformed or the spec is invalid
     */
    public static JobSpec parse(String yamlText, String sourceName, List<String> overrides) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(overrides, "overrides");
        JsonNode tree = readDocument(yamlText, sourceName);
        ObjectNode root;
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        } else if (tree.isObject()) {
            root = (ObjectNode) tree;
        } else {
            throw new SpecException(sourceName + ": expected a mapping with keys " + String.join(", ", TOP_KEYS)
                    + ", got " + SpecSection.show(tree));
        }
        for (String override : overrides) {
            applyOverride(root, override);
        }
        return build(root);
    }

    /** Walks a spec tree (after overrides) into records; absent keys get their defaults. */
    static JobSpec build(JsonNode root) {
        SpecSection top = SpecSection.of("", root, TOP_KEYS);
        DataSpec data = data(top.section("data", DATA_KEYS));
        ModelSpec model = model(top.section("model", MODEL_KEYS));
        model.checkInput(data.shape());
        TrainingSpec training = training(top.section("training", TRAINING_KEYS));
        SpecRules.regularisation(model.l2(), training.optimizer().weightDecay());
        OutputSpec output = new OutputSpec(top.section("output", OUTPUT_KEYS).requiredString("dir"));
        CheckpointSpec checkpoint = checkpoint(top.section("checkpoint", CHECKPOINT_KEYS), output);
        EarlyStoppingSpec earlyStopping = top.has("early_stopping")
                ? earlyStopping(top.section("early_stopping", EARLY_STOPPING_KEYS)) : null;
        MonitoringSpec monitoring = monitoring(top.section("monitoring", MONITORING_KEYS));
        RetrainSpec retrain = retrain(top.section("registry", REGISTRY_KEYS), top.section("retrain", RETRAIN_KEYS),
                output);
        return new JobSpec(data, model, training, output, checkpoint, earlyStopping, monitoring, retrain);
    }

    private static DataSpec data(SpecSection section) {
        DataFormat format = section.requiredChoice("format", Spelling.DATA_FORMAT);
        for (String key : DATA_KEYS) {
            if (section.has(key) && !SpecRules.formatsFor(key).contains(format)) {
                throw SpecRules.notForFormat(section.keyPath(key), format);
            }
        }
        String train = section.requiredString("train");
        String test = section.string("test");
        String label = section.string("label");
        List<String> features = section.strings("features");
        boolean header = section.bool("header", SpecDefaults.HEADER);
        double validationFraction = section.number("validation_fraction", SpecDefaults.VALIDATION_FRACTION);
        Normalization normalize = section.choice("normalize", Spelling.NORMALIZATION, SpecDefaults.NORMALIZE);
        if (section.has("scale") && normalize != Normalization.SCALE) {
            throw new SpecException(section.keyPath("scale") + ": only used with normalize: scale, got normalize: "
                    + Spelling.NORMALIZATION.name(normalize));
        }
        double scale = section.number("scale", SpecDefaults.SCALE);
        int numFeatures = section.integer("num_features", IntKind.NON_NEGATIVE, SpecDefaults.NUM_FEATURES);
        List<Integer> shape = section.integers("shape", IntKind.POSITIVE);
        return new DataSpec(format, train, test, label, features, header, validationFraction, normalize, scale,
                numFeatures, shape, since(section.string("since")),
                section.string("partition_column") != null ? section.string("partition_column")
                        : SpecDefaults.PARTITION_COLUMN);
    }

    /** {@code data.since}, a relative date resolved against today's date in UTC. */
    private static String since(String value) {
        return value == null ? null : SpecRules.date("data.since", value, LocalDate.now(ZoneOffset.UTC));
    }

    private static ModelSpec model(SpecSection section) {
        String dl4jJson = section.string("dl4j_json");
        if (dl4jJson != null && section.has("layers")) {
            throw new SpecException(section.keyPath("dl4j_json") + ": not allowed together with model.layers;"
                    + " the JSON defines the whole network, give one of the two");
        }
        double l2 = section.number("l2", SpecDefaults.L2);
        List<LayerSpec> layers = new ArrayList<>();
        for (SpecSection layer : section.sections("layers", LAYER_KEYS)) {
            layers.add(layer(layer));
        }
        return new ModelSpec(layers, l2, dl4jJson);
    }

    private static LayerSpec layer(SpecSection section) {
        LayerType type = section.choice("type", Spelling.LAYER_TYPE, SpecDefaults.LAYER_TYPE);
        List<String> keys = LayerSpec.keys(type);
        for (String key : LAYER_KEYS) {
            // a loss off the output layer gets ModelSpec's message, which says where a loss belongs
            if (!key.equals("type") && !key.equals("loss") && section.has(key) && !keys.contains(key)) {
                throw new SpecException(section.keyPath(key) + ": not used by a " + Spelling.LAYER_TYPE.name(type)
                        + " layer; it takes " + (keys.isEmpty() ? "no other keys" : String.join(", ", keys)));
            }
        }
        Loss loss = section.choice("loss", Spelling.LOSS, null);
        Activation activation = null;
        WeightInit weightInit = null;
        if (keys.contains("activation")) {
            Activation defaultActivation;
            if (type == LayerType.OUTPUT) {
                if (loss == null) {
                    throw SpecRules.lossRequired(section.path());
                }
                defaultActivation = SpecDefaults.outputActivation(loss);
            } else {
                defaultActivation = SpecDefaults.HIDDEN_ACTIVATION;
            }
            activation = section.choice("activation", Spelling.ACTIVATION, defaultActivation);
            weightInit = section.choice("weight_init", Spelling.WEIGHT_INIT, SpecDefaults.weightInit(activation));
        }
        int units = keys.contains("units") ? section.requiredInteger("units", IntKind.POSITIVE) : 0;
        int filters = keys.contains("filters") ? section.requiredInteger("filters", IntKind.POSITIVE) : 0;
        double dropout = type == LayerType.DROPOUT ? section.requiredNumber("dropout")
                : section.number("dropout", SpecDefaults.DROPOUT);
        Size2D kernel = null;
        Size2D stride = null;
        Padding padding = null;
        if (type == LayerType.CONVOLUTION) {
            kernel = section.size2D("kernel", null);
            if (kernel == null) {
                throw section.required("kernel");
            }
            stride = section.size2D("stride", Size2D.square(SpecDefaults.CONVOLUTION_STRIDE));
        } else if (type == LayerType.POOLING) {
            kernel = section.size2D("kernel", Size2D.square(SpecDefaults.POOLING_KERNEL));
            stride = section.size2D("stride", kernel);
        }
        if (keys.contains("padding")) {
            padding = section.choice("padding", Spelling.PADDING, SpecDefaults.PADDING);
        }
        PoolingType pooling = keys.contains("pooling")
                ? section.choice("pooling", Spelling.POOLING_TYPE, SpecDefaults.POOLING) : null;
        return new LayerSpec(type, units, activation, loss, weightInit, dropout, filters, kernel, stride, padding,
                pooling);
    }

    private static TrainingSpec training(SpecSection section) {
        int workers = section.integer("workers", IntKind.POSITIVE, SpecDefaults.WORKERS);
        int batchSize = section.integer("batch_size", IntKind.POSITIVE, SpecDefaults.BATCH_SIZE);
        int epochs = section.integer("epochs", IntKind.POSITIVE, SpecDefaults.EPOCHS);
        long seed = section.longInteger("seed", SpecDefaults.SEED);
        OptimizerSpec optimizer = optimizer(section.section("optimizer", OPTIMIZER_KEYS));
        int epochRetries = section.integer("epoch_retries", IntKind.NON_NEGATIVE, SpecDefaults.EPOCH_RETRIES);
        int timeout = section.integer("collective_timeout_seconds", IntKind.POSITIVE,
                SpecDefaults.COLLECTIVE_TIMEOUT_SECONDS);
        AveragingMode averaging = section.choice("averaging", Spelling.AVERAGING_MODE, SpecDefaults.AVERAGING);
        int frequency = section.integer("averaging_frequency", IntKind.POSITIVE, SpecDefaults.AVERAGING_FREQUENCY);
        if (averaging == AveragingMode.GRADIENTS && section.has("average_updater_state")) {
            throw new SpecException(section.keyPath("average_updater_state")
                    + ": only used with training.averaging: parameters (gradient averaging has one updater state)");
        }
        boolean updaterState = section.bool("average_updater_state", SpecDefaults.AVERAGE_UPDATER_STATE);
        OnDivergence onDivergence = section.choice("on_divergence", Spelling.ON_DIVERGENCE, SpecDefaults.ON_DIVERGENCE);
        return new TrainingSpec(workers, batchSize, epochs, seed, optimizer, epochRetries, timeout, averaging,
                frequency, updaterState, onDivergence,
                section.choice("device", Spelling.DEVICE, SpecDefaults.DEVICE));
    }

    private static OptimizerSpec optimizer(SpecSection section) {
        OptimizerType type = section.choice("type", Spelling.OPTIMIZER_TYPE, SpecDefaults.OPTIMIZER);
        OptimizerSpec defaults = SpecDefaults.optimizer(type);
        return new OptimizerSpec(type,
                section.number("learning_rate", defaults.learningRate()),
                section.number("momentum", defaults.momentum()),
                section.number("beta1", defaults.beta1()),
                section.number("beta2", defaults.beta2()),
                section.number("epsilon", defaults.epsilon()),
                section.number("rho", defaults.rho()),
                section.number("weight_decay", SpecDefaults.weightDecay(type)),
                section.number("clip_norm", SpecDefaults.CLIP_NORM),
                section.number("clip_value", SpecDefaults.CLIP_VALUE),
                schedule(section.section("schedule", SCHEDULE_KEYS)));
    }

    /**
     * The learning-rate schedule; a key the chosen type does not use is an error (so a typo'd
     * type does not silently drop the user's settings).
     */
    private static ScheduleSpec schedule(SpecSection section) {
        ScheduleType type = section.choice("type", Spelling.SCHEDULE_TYPE, SpecDefaults.SCHEDULE);
        List<String> used = switch (type) {
            case CONSTANT -> List.of();
            case STEP -> List.of("step_size", "gamma");
            case EXPONENTIAL -> List.of("gamma");
            case COSINE -> List.of("decay_iterations", "min_learning_rate");
            case COSINE_RESTARTS -> List.of("period", "period_multiplier", "min_learning_rate");
        };
        for (String key : SCHEDULE_KEYS) {
            if (!key.equals("type") && !key.equals("warmup_iterations") && section.has(key) && !used.contains(key)) {
                throw new SpecException(section.keyPath(key) + ": not used by schedule type "
                        + Spelling.SCHEDULE_TYPE.name(type) + (used.isEmpty() ? "" : "; it uses " + String.join(", ", used)));
            }
        }
        int warmup = section.integer("warmup_iterations", IntKind.NON_NEGATIVE, SpecDefaults.WARMUP_ITERATIONS);
        return switch (type) {
            case CONSTANT -> new ScheduleSpec(type, warmup, 0, 0, 0, 0, 0, 0);
            case STEP -> new ScheduleSpec(type, warmup, section.requiredInteger("step_size", IntKind.POSITIVE),
                    section.number("gamma", SpecDefaults.STEP_GAMMA), 0, 0, 0, 0);
            case EXPONENTIAL -> new ScheduleSpec(type, warmup, 0, section.requiredNumber("gamma"), 0, 0, 0, 0);
            case COSINE -> new ScheduleSpec(type, warmup, 0, 0,
                    section.integer("decay_iterations", IntKind.NON_NEGATIVE, SpecDefaults.DECAY_ITERATIONS),
                    section.number("min_learning_rate", SpecDefaults.MIN_LEARNING_RATE), 0, 0);
            case COSINE_RESTARTS -> new ScheduleSpec(type, warmup, 0, 0, 0,
                    section.number("min_learning_rate", SpecDefaults.MIN_LEARNING_RATE),
                    section.requiredInteger("period", IntKind.POSITIVE),
                    section.integer("period_multiplier", IntKind.POSITIVE, SpecDefaults.PERIOD_MULTIPLIER));
        };
    }

    private static CheckpointSpec checkpoint(SpecSection section, OutputSpec output) {
        String dir = section.string("dir");
        return new CheckpointSpec(dir != null ? dir : SpecDefaults.checkpointDir(output.dir()),
                section.integer("keep", IntKind.POSITIVE, SpecDefaults.CHECKPOINT_KEEP),
                section.bool("resume", SpecDefaults.CHECKPOINT_RESUME));
    }

    /** {@code metric} is required: a section that is present asks for early stopping. */
    private static EarlyStoppingSpec earlyStopping(SpecSection section) {
        return new EarlyStoppingSpec(section.requiredChoice("metric", Spelling.STOP_METRIC),
                section.integer("patience", IntKind.POSITIVE, SpecDefaults.PATIENCE),
                section.number("min_delta", SpecDefaults.MIN_DELTA),
                section.choice("mode", Spelling.STOP_MODE, SpecDefaults.STOP_MODE));
    }

    private static RetrainSpec retrain(SpecSection registry, SpecSection retrain, OutputSpec output) {
        String dir = registry.string("dir");
        return new RetrainSpec(dir != null ? dir : SpecDefaults.registryDir(output.dir()),
                retrain.choice("metric", Spelling.RETRAIN_METRIC, SpecDefaults.RETRAIN_METRIC),
                retrain.number("min_improvement", SpecDefaults.MIN_IMPROVEMENT));
    }

    private static MonitoringSpec monitoring(SpecSection section) {
        return new MonitoringSpec(
                section.integer("log_every_iterations", IntKind.NON_NEGATIVE, SpecDefaults.LOG_EVERY_ITERATIONS),
                section.integer("probe_rows", IntKind.NON_NEGATIVE, SpecDefaults.PROBE_ROWS));
    }

    /** The one document of {@code text}, or {@code null} if it is empty. */
    private static JsonNode readDocument(String text, String sourceName) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonNode first = YAML.readTree(parser);
            if (parser.nextToken() != null) {
                throw new SpecException(sourceName + ": expected one YAML document, found more than one ('---')");
            }
            return first;
        } catch (JsonProcessingException e) {
            throw syntaxError(sourceName, e);
        } catch (IOException e) {
            throw new SpecException(sourceName + ": cannot read YAML (" + e.getMessage() + ")");
        }
    }

    /**
     * {@code spec.yaml:3:5: YAML syntax error: mapping values are not allowed here}. The parser's own
     * message spans several lines (with a source excerpt); only its description lines are kept.
     */
    private static SpecException syntaxError(String sourceName, JsonProcessingException e) {
        String description = e.getOriginalMessage().lines()
                .filter(line -> !line.isBlank() && !line.startsWith(" in '") && !line.startsWith("    ")
                        && !line.trim().equals("^"))
                .map(String::trim)
                .collect(Collectors.joining("; "));
        JsonLocation location = e.getLocation();
        String where = location == null ? sourceName
                : sourceName + ":" + location.getLineNr() + ":" + location.getColumnNr();
        if (description.startsWith("Duplicate field ")) {
            return new SpecException(where + ": duplicate key " + description.substring("Duplicate field ".length()));
        }
        return new SpecException(where + ": YAML syntax error: " + description);
    }

    /**
     * Sets one {@code dotted.key[i].path=value} in the tree, creating missing intermediate mappings (and
     * a list entry just past the end). An empty value or {@code ~} clears the key, so it takes its default.
     */
    static void applyOverride(ObjectNode root, String override) {
        int equals = override.indexOf('=');
        if (equals < 0) {
            throw new SpecException("malformed override '" + override + "': expected key=value, e.g. training.epochs=3");
        }
        String key = override.substring(0, equals).trim();
        List<Object> steps = steps(key, override);
        JsonNode value = overrideValue(override.substring(equals + 1).trim());

        JsonNode container = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            Object step = steps.get(i);
            boolean lastStep = i == steps.size() - 1;
            Object next = lastStep ? null : steps.get(i + 1);
            JsonNode fresh = next instanceof Integer ? JsonNodeFactory.instance.arrayNode()
                    : JsonNodeFactory.instance.objectNode();
            if (step instanceof String name) {
                if (!container.isObject()) {
                    throw badOverride(override, "'" + path + "' is " + describeKind(container) + ", not a mapping");
                }
                ObjectNode object = (ObjectNode) container;
                if (lastStep) {
                    object.set(name, value);
                    return;
                }
                JsonNode child = object.get(name);
                if (child == null || child.isNull()) {
                    child = fresh;
                    object.set(name, child);
                }
                container = child;
                path.append(path.length() == 0 ? "" : ".").append(name);
            } else {
                int index = (Integer) step;
                if (!container.isArray()) {
                    throw badOverride(override, "'" + path + "' is " + describeKind(container) + ", not a list");
                }
                ArrayNode array = (ArrayNode) container;
                if (index > array.size()) {
                    throw badOverride(override, "index " + index + " is out of range; '" + path + "' has "
                            + array.size() + " entries");
                }
                if (lastStep) {
                    if (index == array.size()) {
                        array.add(value);
                    } else {
                        array.set(index, value);
                    }
                    return;
                }
                if (index == array.size()) {
                    array.add(fresh);
                } else if (array.get(index).isNull()) {
                    array.set(index, fresh);
                }
                container = array.get(index);
                path.append('[').append(index).append(']');
            }
        }
    }

    /** {@code model.layers[0].units} as the steps {@code "model", "layers", 0, "units"}. */
    private static List<Object> steps(String key, String override) {
        List<Object> steps = new ArrayList<>();
        for (String segment : key.split("\\.", -1)) {
            Matcher matcher = SEGMENT.matcher(segment);
            if (!matcher.matches()) {
                throw new SpecException("malformed override '" + override + "': bad key '" + key
                        + "'; expected a dotted path such as model.layers[0].units");
            }
            steps.add(matcher.group(1));
            Matcher index = INDEX.matcher(matcher.group(2));
            while (index.find()) {
                steps.add(Integer.parseInt(index.group(1)));
            }
        }
        return steps;
    }

    /**
     * The value as YAML, so that numbers, booleans and {@code [a,b]} get their types; text that is not
     * valid YAML on its own (such as {@code *.csv}) is taken as a plain string.
     */
    private static JsonNode overrideValue(String text) {
        if (text.isEmpty()) {
            return NullNode.instance;
        }
        try {
            JsonNode value = YAML.readTree(text);
            return value == null || value.isMissingNode() ? NullNode.instance : value;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    private static String describeKind(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        return "the value " + SpecSection.show(node);
    }

    private static SpecException badOverride(String override, String problem) {
        return new SpecException("cannot apply override '" + override + "': " + problem);
    }
}
