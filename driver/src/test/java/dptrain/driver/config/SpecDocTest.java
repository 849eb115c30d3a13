package dptrain.driver.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the docs in step with the key declarations: the examples of {@code docs/job-spec.md} load,
 * the README's job spec reference is exactly the declared keys with their declared types, defaults
 * and meanings, and the prose names no key that does not exist.
 */
class SpecDocTest {

    private static final Path DOC = Path.of(System.getProperty("user.dir")).resolveSibling("docs")
            .resolve("job-spec.md");
    /** The key tables live in the README, the public face of the spec. */
    private static final Path README = Path.of(System.getProperty("user.dir")).resolveSibling("README.md");

    @Test
    void examplesLoad() throws IOException {
        List<String> examples = yamlBlocks(Files.readString(DOC));
        assertEquals(5, examples.size());
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
        JobSpec delta = SpecLoader.parse(examples.get(4), "delta example", List.of());
        assertEquals(DataFormat.DELTA, delta.data().format());
        assertEquals(42L, delta.data().version());
    }

    /**
     * The README's job spec tables hold exactly the declared keys, each row exactly as its
     * declaration renders it (type, default, allowed values, meaning), one table per section.
     */
    @Test
    void readmeTablesAreTheDeclaredKeys() throws IOException {
        Map<String, Map<String, String>> tables = readmeTables(Files.readString(README));
        assertEquals(JobKeys.TOP.names(), List.copyOf(tables.keySet()), "one table per top-level section, in order");
        List<String> problems = new ArrayList<>();
        Set<String> declared = new HashSet<>();
        for (SpecKey<?, ?> key : JobKeys.TOP.allKeys()) {
            String row = key.referenceRow();
            if (row == null) {
                continue;
            }
            declared.add(key.path());
            String table = key.path().split("[.\\[]", 2)[0];
            String written = tables.getOrDefault(table, Map.of()).get(key.path());
            if (written == null) {
                problems.add("missing row for " + key.path() + " in the table of " + table + ": " + row);
            } else if (!written.equals(row)) {
                problems.add("row of " + key.path() + " differs from its declaration:\n  declared " + row
                        + "\n  README   " + written);
            }
        }
        tables.forEach((table, rows) -> rows.keySet().stream().filter(key -> !declared.contains(key))
                .forEach(key -> problems.add("row for undeclared key " + key + " in the table of " + table)));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** A choice's row lists every spelling it accepts, aliases included. */
    @Test
    void choiceRowsListEverySpelling() {
        for (SpecKey<?, ?> key : JobKeys.TOP.allKeys()) {
            if (key.referenceRow() == null) {
                continue;
            }
            for (String spelling : key.type().spellings()) {
                assertTrue(key.referenceRow().contains("`" + spelling + "`"),
                        key.path() + " does not list " + spelling);
            }
        }
    }

    /** Every dotted key that docs/job-spec.md and the README's job spec reference name is a declared key. */
    @Test
    void docsNameOnlyDeclaredKeys() throws IOException {
        Set<String> declared = new HashSet<>();
        for (SpecKey<?, ?> key : JobKeys.TOP.allKeys()) {
            declared.add(key.path());
        }
        Pattern dotted = Pattern.compile("`((?:" + String.join("|", JobKeys.TOP.names())
                + ")(?:\\.[a-z0-9_]+(?:\\[\\w+])?)+)");
        for (Path file : List.of(DOC, README)) {
            String text = Files.readString(file);
            Matcher matcher = dotted.matcher(file == README ? reference(text) : text);
            while (matcher.find()) {
                if (matcher.group(1).matches(".*\\.(zip|json|jsonl|dpt|html)")) {
                    continue; // a file such as model.zip
                }
                // model.layers[2] names an entry of the list model.layers
                String key = matcher.group(1).replaceAll("\\[\\w+]$", "").replaceAll("\\[\\w+]", "[i]");
                assertTrue(declared.contains(key), file.getFileName() + " names " + matcher.group(1)
                        + ", which is not a declared key");
            }
        }
    }

    /** The README's job spec reference: from its heading to the next one of the same level. */
    private static String reference(String readme) {
        int start = readme.indexOf("## Job spec reference");
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    /** The rows of each {@code #### `section`} table of the README's job spec reference, by key. */
    private static Map<String, Map<String, String>> readmeTables(String readme) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        Map<String, String> rows = null;
        for (String line : reference(readme).lines().toList()) {
            Matcher heading = Pattern.compile("#### `([a-z_]+)`").matcher(line);
            Matcher row = Pattern.compile("\\| `([^`]+)` \\|.*").matcher(line);
            if (heading.matches()) {
                rows = new LinkedHashMap<>();
                tables.put(heading.group(1), rows);
            } else if (row.matches() && rows != null) {
                rows.put(row.group(1), line);
            }
        }
        return tables;
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
