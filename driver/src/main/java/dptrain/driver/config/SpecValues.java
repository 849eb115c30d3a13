package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The values of one mapping of a spec tree at a known dotted path, read through the keys its
 * {@link SpecSection} declares. An unknown key fails at once (with a suggestion). A value is read
 * when a section's record asks for it, at most once, so a default may follow from another key
 * whatever their order. A key that is absent or explicitly {@code null} counts as not given.
 */
final class SpecValues {

    /** Where the tree comes from, which decides what an absent key means. */
    enum Source {
        /** A spec file plus overrides: absent keys take their defaults, keys that do not apply are refused. */
        SPEC_FILE,
        /** {@link SpecJson}: every key is given as written; only keys newer than the JSON may be absent. */
        CANONICAL_JSON
    }

    private static final int MAX_SHOWN = 60;
    private static final Object NOT_READ = new Object();

    private final String path;
    private final JsonNode node;
    private final SpecValues parent;
    private final Source source;
    private final Map<SpecKey<?, ?>, Object> read = new HashMap<>();

    private SpecValues(String path, JsonNode node, SpecValues parent, Source source, List<String> names) {
        this.path = path;
        this.parent = parent;
        this.source = source;
        if (node == null || node.isNull() || node.isMissingNode()) {
            node = JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new SpecException((path.isEmpty() ? "spec" : path) + ": expected a mapping with keys "
                    + String.join(", ", names) + ", got " + show(node));
        }
        this.node = node;
        Iterator<String> fields = node.fieldNames();
        while (fields.hasNext()) {
            String name = fields.next();
            if (!names.contains(name)) {
                throw unknownKey(name, names);
            }
        }
    }

    /**
     * The top level of a tree; {@code names} are the keys it may hold (the top section's, and for
     * canonical JSON also {@code spec_version}).
     */
    static SpecValues root(JsonNode node, Source source, List<String> names) {
        return new SpecValues("", node, null, source, names);
    }

    /** The mapping {@code node} at {@code path}, below this one. */
    SpecValues nested(SpecSection<?> section, String path, JsonNode node) {
        return new SpecValues(path, node, this, source, section.names());
    }

    /** The mapping this one sits in; the top level has none. */
    SpecValues parent() {
        return parent;
    }

    Source source() {
        return source;
    }

    /** The dotted path of this mapping, such as {@code model.layers[1]}; empty for the top level. */
    String path() {
        return path;
    }

    String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether the tree gives the key (not absent, not {@code null}). */
    boolean has(SpecKey<?, ?> key) {
        return raw(key.name()) != null;
    }

    /** The key's value: read and checked, or what its absence means for this {@link Source}. */
    @SuppressWarnings("unchecked")
    <T> T get(SpecKey<?, T> key) {
        Object value = read.getOrDefault(key, NOT_READ);
        if (value == NOT_READ) {
            JsonNode given = raw(key.name());
            value = source == Source.SPEC_FILE ? key.load(given, keyPath(key.name()), this)
                    : key.readCanonical(given, keyPath(key.name()), this);
            read.put(key, value);
        }
        return (T) value;
    }

    private JsonNode raw(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    /** A value as the user wrote it: strings quoted, numbers bare, long lists cut short. */
    static String show(JsonNode value) {
        String shown = value.toString();
        return shown.length() <= MAX_SHOWN ? shown : shown.substring(0, MAX_SHOWN) + "...";
    }

    private SpecException unknownKey(String key, List<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : names) {
            int distance = distance(normalise(key), normalise(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int tolerance = key.length() >= 6 ? 2 : 1;
        if (best != null && bestDistance <= tolerance) {
            return new SpecException("unknown key '" + keyPath(key) + "' (did you mean '" + keyPath(best) + "'?)");
        }
        return new SpecException("unknown key '" + keyPath(key) + "'; allowed: " + String.join(", ", names));
    }

    /** {@code batchSize}, {@code batch-size} and {@code batch_size} all compare equal. */
    private static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
