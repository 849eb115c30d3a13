package dptrain.driver.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the docs in step with the loader: the examples of {@code docs/job-spec.md} load and every
 * key has a row in the README's job spec reference.
 */
class SpecDocTest {

    private static final Path DOC = Path.of(System.getProperty("user.dir")).resolveSibling("docs")
            .resolve("job-spec.md");
    /** The key tables live in the README, the public face of the spec. */
    private static final Path README = Path.of(System.getProperty("user.dir")).resolveSibling("README.md");

    @Test
    void examplesLoad() throws IOException {
        List<String> examples = yamlBlocks(Files.readString(DOC));
        assertEquals(4, examples.size());
        JobSpec full = SpecLoader.parse(examples.get(0), "full example", List.of());
        assertEquals(4, full.training().workers());
        assertEquals(3, full.model().layers().size());
        JobSpec csv = SpecLoader.parse(examples.get(1), "csv example", List.of());
        assertEquals(List.of("rooms", "area", "age"), csv.data().features());
        JobSpec images = SpecLoader.parse(examples.get(2), "image example", List.of());
        assertEquals(List.of(1, 28, 28), images.data().shape());
        assertEquals(8, images.model().layers().size());
        JobSpec imported = SpecLoader.parse(examples.get(3), "dl4j_json example", List.of());
        assertEquals("hdfs://namenode:8020/nets/resnet-small.json", imported.model().dl4jJson());
    }

    @Test
    void everyKeyHasARowInTheReadme() throws IOException {
        String doc = Files.readString(README);
        List<String> keys = new ArrayList<>();
        SpecLoader.DATA_KEYS.forEach(key -> keys.add("data." + key));
        SpecLoader.MODEL_KEYS.forEach(key -> keys.add("model." + key));
        SpecLoader.LAYER_KEYS.forEach(key -> keys.add("model.layers[i]." + key));
        SpecLoader.TRAINING_KEYS.stream().filter(key -> !key.equals("optimizer"))
                .forEach(key -> keys.add("training." + key));
        SpecLoader.OPTIMIZER_KEYS.forEach(key -> keys.add("training.optimizer." + key));
        SpecLoader.SCHEDULE_KEYS.forEach(key -> keys.add("training.optimizer.schedule." + key));
        SpecLoader.OUTPUT_KEYS.forEach(key -> keys.add("output." + key));
        SpecLoader.CHECKPOINT_KEYS.forEach(key -> keys.add("checkpoint." + key));
        SpecLoader.EARLY_STOPPING_KEYS.forEach(key -> keys.add("early_stopping." + key));
        SpecLoader.MONITORING_KEYS.forEach(key -> keys.add("monitoring." + key));
        SpecLoader.REGISTRY_KEYS.forEach(key -> keys.add("registry." + key));
        SpecLoader.RETRAIN_KEYS.forEach(key -> keys.add("retrain." + key));
        for (String section : List.of("data", "model", "training", "output", "checkpoint", "early_stopping",
                "monitoring", "registry", "retrain")) {
            assertTrue(doc.contains("#### `" + section + "`"), "no table for section " + section);
        }
        assertEquals(9, SpecLoader.TOP_KEYS.size(), "a new top-level section needs its table here");
        for (String key : keys) {
            assertTrue(doc.contains("| `" + key + "` |"), "no table row for " + key);
        }
    }

    private static List<String> yamlBlocks(String markdown) {
        Matcher matcher = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }
}
