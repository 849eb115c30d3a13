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
    private final SpecSection<?> section;
    private final JsonNode node;
    private final SpecValues parent;
    private final Source source;
    private final Map<SpecKey<?, ?>, Object> read = new HashMap<>();
    private final Map<String, SpecValues> opened = new HashMap<>();

    private SpecValues(String path, SpecSection<?> section, JsonNode node, SpecValues parent, Source source,
                       List<String> names) {
        this.path = path;
        this.section = section;
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
     * The top level of a tree of {@code section}; {@code names} are the keys it may hold (the
     * section's, and for canonical JSON also {@code spec_version}).
     */
    static SpecValues root(SpecSection<?> section, JsonNode node, Source source, List<String> names) {
        return new SpecValues("", section, node, null, source, names);
    }

    /** The mapping {@code node} of {@code section} at {@code path}, below this one; checked once. */
    SpecValues nested(SpecSection<?> section, String path, JsonNode node) {
        SpecValues values = opened.get(path);
        if (values == null) {
            values = new SpecValues(path, section, node, this, source, section.names());
            opened.put(path, values);
        }
        return values;
    }

    /**
     * Checks the mapping of a section-valued key (its shape and key names) before any of its values is
     * read, so that of two sections read together the first one's mistakes are reported first.
     */
    void open(SpecKey<?, ?> key) {
        SpecSection<?> nested = key.type().nested();
        if (nested != null) {
            nested(nested, keyPath(key.name()), raw(key.name()));
        }
    }

    /**
     * A spec file: fails on the first key (in declaration order) that is given though this mapping's
     * kind does not take it ({@link SpecKey.Builder#refusedFirst}); canonical JSON holds every key.
     */
    void refuseInapplicable() {
        if (source == Source.SPEC_FILE) {
            for (SpecKey<?, ?> key : section.keys()) {
                key.refuseIfInapplicable(raw(key.name()), keyPath(key.name()), this);
            }
        }
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
