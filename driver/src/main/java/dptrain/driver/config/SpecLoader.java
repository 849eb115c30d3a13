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

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * value and what is allowed. Absent keys take their defaults. What each key is, and what its absence
 * means, is declared once in the key declarations ({@link JobKeys} and the sections it names); the
 * reference tables of the README are checked against them.
 */
public final class SpecLoader {

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
            throw new SpecException(sourceName + ": expected a mapping with keys " + JobKeys.TOP.keyList()
                    + ", got " + SpecValues.show(tree));
        }
        for (String override : overrides) {
            applyOverride(root, override);
        }
        return build(root);
    }

    /** Walks a spec tree (after overrides) into records; absent keys get their defaults. */
    static JobSpec build(JsonNode root) {
        return JobKeys.TOP.read(SpecValues.root(JobKeys.TOP, root, SpecValues.Source.SPEC_FILE, JobKeys.TOP.names()));
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
        return "the value " + SpecValues.show(node);
    }

    private static SpecException badOverride(String override, String problem) {
        return new SpecException("cannot apply override '" + override + "': " + problem);
    }
}
