package dptrain.driver.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A stage's {@code <path>/metadata}, in Spark ML's own layout (one JSON line in a text file:
 * {@code class}, {@code timestamp}, {@code sparkVersion}, {@code uid}, {@code paramMap},
 * {@code defaultParamMap}), so that {@code Pipeline}/{@code PipelineModel} save and load our
 * stages like their own: they read {@code class} and call its static {@code read()}. Written
 * with public Params API only ({@code Param.jsonEncode}/{@code jsonDecode}).
 */
final class StageMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StageMetadata() {
    }

    static void save(Params stage, String path, SparkContext sc) {
        ObjectNode metadata = JSON.createObjectNode()
                .put("class", stage.getClass().getName())
                .put("timestamp", System.currentTimeMillis())
                .put("sparkVersion", sc.version())
                .put("uid", stage.uid());
        ObjectNode set = metadata.putObject("paramMap");
        ObjectNode defaults = metadata.putObject("defaultParamMap");
        for (Param<?> param : stage.params()) {
            @SuppressWarnings("unchecked")
            Param<Object> typed = (Param<Object>) param;
            if (stage.isSet(typed)) {
                set.set(param.name(), parse(typed.jsonEncode(stage.getOrDefault(typed))));
            }
            if (stage.hasDefault(typed)) {
                defaults.set(param.name(), parse(typed.jsonEncode(stage.getDefault(typed).get())));
            }
        }
        JavaSparkContext.fromSparkContext(sc).parallelize(List.of(metadata.toString()), 1)
                .saveAsTextFile(new Path(path, "metadata").toString());
    }

    /** Reads {@code <path>/metadata}; fails unless it was written for {@code expected}. */
    static JsonNode load(String path, SparkContext sc, Class<?> expected) {
        String line = sc.textFile(new Path(path, "metadata").toString(), 1).first();
        JsonNode metadata = parse(line);
        String className = metadata.path("class").asText();
        if (!className.equals(expected.getName())) {
            throw new IllegalArgumentException(path + " holds a " + className + ", not a " + expected.getName());
        }
        return metadata;
    }

    /** Sets the saved params (explicit ones, and defaults as they were when saved) on a new stage. */
    static <T extends Params> T applyParams(T stage, JsonNode metadata) {
        apply(stage, metadata.path("defaultParamMap"), true);
        apply(stage, metadata.path("paramMap"), false);
        return stage;
    }

    private static void apply(Params stage, JsonNode values, boolean asDefault) {
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!stage.hasParam(entry.getKey())) {
                throw new IllegalArgumentException("saved param '" + entry.getKey() + "' is not a param of "
                        + stage.getClass().getSimpleName());
            }
            Param<Object> param = stage.getParam(entry.getKey());
            Object value = param.jsonDecode(entry.getValue().toString());
            if (asDefault) {
                stage.setDefault(param, value);
            } else {
                stage.set(param, value);
            }
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
