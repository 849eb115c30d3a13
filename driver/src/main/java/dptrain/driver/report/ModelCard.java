package dptrain.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.Task;
import dptrain.driver.data.FeatureScaling;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The model card: the {@code dptrain.json} entry of {@code model.zip}, which carries what scoring
 * needs beyond the weights (label names, feature columns, normalisation, input format) and the
 * model's provenance (spec, seed, data, build version). Written by {@link #toJson} and read by
 * {@link #fromJson} only, so every model.zip ever written by a job, a Spark ML model or a retrain
 * reads back the same way. The JSON keys and their order are those of the first cards (format 1);
 * a model.zip written before this record existed reads back and writes again unchanged. Keys added
 * since ({@code data_version}) come last and only when they have a value.
 *
 * <p>The reader is as lenient as the readers it replaced: a missing key reads as {@code null}, zero
 * or empty, and each use decides whether it needs the value. Only a value that cannot mean anything
 * (an unknown task or data format, a malformed time) is an error.
 *
 * @param format         the card's layout ({@link #FORMAT} for everything written now)
 * @param version        the dptrain build that wrote it
 * @param createdAt      when the model was written
 * @param task           classification or regression
 * @param seed           the training seed
 * @param epochs         epochs the weights were trained for
 * @param iterations     iterations the weights were trained for
 * @param featureCount   width of the network's input
 * @param trainData      where the training rows came from ({@code data.train}, or a phrase for a Spark
 *                       ML DataFrame)
 * @param dataFormat     the format scoring input comes in, or {@code null} for a model written before
 *                       it was recorded (then {@code spec.data.format} says it)
 * @param spec           the job spec in canonical JSON, or {@code null} for a Spark ML model (no spec)
 * @param featuresCol    the vector column of a Spark ML model, or {@code null} for a job
 * @param labelNames     class names by index (empty for regression)
 * @param featureColumns names of the feature columns in order (empty for LibSVM, IDX and Spark ML)
 * @param scaling        the normalisation training applied (identity for Spark ML)
 * @param trainLoss      mean training loss of each epoch (Spark ML models), or {@code null}
 * @param warmStartFrom  the registry version a retrain started from, or {@code null}
 * @param dataVersion    the Delta table version the training data was read at ({@code data_version}),
 *                       or {@code null} for other sources and for cards written before it was recorded
 */
public record ModelCard(int format, String version, Instant createdAt, Task task, long seed, int epochs,
                        int iterations, int featureCount, String trainData, DataFormat dataFormat, JsonNode spec,
                        String featuresCol, List<String> labelNames, List<String> featureColumns,
                        FeatureScaling scaling, double[] trainLoss, String warmStartFrom, Long dataVersion) {

    /** The layout written now. */
    public static final int FORMAT = 1;

    /** A card of data that is not a Delta table. */
    public ModelCard(int format, String version, Instant createdAt, Task task, long seed, int epochs,
                     int iterations, int featureCount, String trainData, DataFormat dataFormat, JsonNode spec,
                     String featuresCol, List<String> labelNames, List<String> featureColumns,
                     FeatureScaling scaling, double[] trainLoss, String warmStartFrom) {
        this(format, version, createdAt, task, seed, epochs, iterations, featureCount, trainData, dataFormat, spec,
                featuresCol, labelNames, featureColumns, scaling, trainLoss, warmStartFrom, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelCard {
        labelNames = List.copyOf(labelNames);
        featureColumns = List.copyOf(featureColumns);
        Objects.requireNonNull(scaling, "scaling");
        spec = spec == null ? null : spec.deepCopy();
        trainLoss = trainLoss == null ? null : trainLoss.clone();
    }

    /**
     * {@code spec.data.<key>} as the training spec wrote it, or a missing node when there is no
     * spec (a Spark ML model); the spec's own schema gives the meaning and the default.
     */
    public JsonNode specData(String key) {
        return spec == null ? MissingNode.getInstance() : spec.path("data").path(key);
    }

    /** The {@code dptrain.json} text: keys in the order every card has had them. */
    public String toJson() {
        ObjectNode card = JSON.createObjectNode()
                .put("format", format)
                .put("version", version)
                .put("created_at", createdAt == null ? null : createdAt.toString())
                .put("task", lowerCase(task))
                .put("seed", seed)
                .put("epochs", epochs)
                .put("iterations", iterations)
                .put("feature_count", featureCount)
                .put("train_data", trainData)
                .put("data_format", lowerCase(dataFormat));
        if (spec != null) {
            card.set("spec", spec);
        }
        if (featuresCol != null) {
            card.put("features_col", featuresCol);
        }
        labelNames.forEach(card.putArray("label_names")::add);
        featureColumns.forEach(card.putArray("feature_columns")::add);
        ObjectNode scales = card.putObject("scaling");
        addAll(scales.putArray("offset"), scaling.offset());
        addAll(scales.putArray("divisor"), scaling.divisor());
        if (trainLoss != null) {
            ArrayNode losses = card.putArray("train_loss");
            Arrays.stream(trainLoss).forEach(losses::add);
        }
        if (warmStartFrom != null) {
            card.put("warm_start_from", warmStartFrom);
        }
        if (dataVersion != null) {
            card.put("data_version", dataVersion);
        }
        return card.toString();
    }

    /**
     * Reads a {@code dptrain.json} text.
     *
     * @throws JsonProcessingException  if it is not JSON
     * @throws IllegalArgumentException naming the key, for a value that cannot mean anything
     */
    public static ModelCard fromJson(String json) throws JsonProcessingException {
        JsonNode card = JSON.readTree(json);
        if (!card.isObject()) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        JsonNode losses = card.get("train_loss");
        JsonNode spec = card.get("spec");
        return new ModelCard(card.path("format").asInt(0), text(card, "version"), instant(card, "created_at"),
                choice(card, "task", Task.class), card.path("seed").asLong(0), card.path("epochs").asInt(0),
                card.path("iterations").asInt(0), card.path("feature_count").asInt(0), text(card, "train_data"),
                choice(card, "data_format", DataFormat.class), spec == null || spec.isNull() ? null : spec,
                text(card, "features_col"), texts(card.path("label_names")), texts(card.path("feature_columns")),
                new FeatureScaling(floats(card.path("scaling").path("offset")),
                        floats(card.path("scaling").path("divisor"))),
                losses == null || losses.isNull() ? null : doubles(losses), text(card, "warm_start_from"),
                card.hasNonNull("data_version") ? card.get("data_version").asLong() : null);
    }

    private static String lowerCase(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }

    private static void addAll(ArrayNode array, float[] values) {
        for (float value : values) {
            array.add(value);
        }
    }

    private static String text(JsonNode card, String key) {
        JsonNode value = card.get(key);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode card, String key) {
        String text = text(card, key);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": not an ISO-8601 instant, got '" + text + "'", e);
        }
    }

    private static <E extends Enum<E>> E choice(JsonNode card, String key, Class<E> type) {
        String text = text(card, key);
        if (text == null) {
            return null;
        }
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException(key + ": unknown value '" + text + "'; use "
                + Arrays.stream(type.getEnumConstants()).map(ModelCard::lowerCase).collect(Collectors.joining(", ")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
