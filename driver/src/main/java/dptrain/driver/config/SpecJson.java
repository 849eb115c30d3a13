package dptrain.driver.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The canonical JSON form of a resolved {@link JobSpec}: every value explicit (defaults filled in,
 * enum values in their canonical spelling), keys in a fixed order (the order of the key
 * declarations, which is the records' component order, with the YAML key names), one line, no
 * insignificant whitespace. Equal specs give equal text, so the text can be checksummed and embedded
 * as provenance; {@link #fromJson} reads it back strictly (every key required, no defaults, except
 * the keys declared newer than older checkpoints), so a checkpoint's spec does not change when
 * defaults do.
 */
public final class SpecJson {

    /** Bumped when the JSON layout changes incompatibly. */
    static final int VERSION = 1;

    private static final String VERSION_KEY = "spec_version";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SpecJson() {
    }

    /** The canonical one-line JSON of {@code spec}. */
    public static String toJson(JobSpec spec) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put(VERSION_KEY, VERSION);
        root.setAll(JobKeys.TOP.write(spec));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
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
        List<String> names = new ArrayList<>(List.of(VERSION_KEY));
        names.addAll(JobKeys.TOP.names());
        SpecValues root = SpecValues.root(JobKeys.TOP, tree, SpecValues.Source.CANONICAL_JSON, names);
        JsonNode version = tree == null ? null : tree.get(VERSION_KEY);
        if (version == null || version.isNull()) {
            throw new SpecException(VERSION_KEY + ": required");
        }
        long number = ValueTypes.readLong(version, VERSION_KEY, ValueTypes.IntKind.POSITIVE);
        if (number != VERSION) {
            throw new SpecException(VERSION_KEY + ": this build reads version " + VERSION + ", got " + number);
        }
        return JobKeys.TOP.read(root);
    }
}
