package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * One mapping of a spec tree at a known dotted path, read strictly: an unknown key fails at once
 * (with a suggestion), and each typed getter fails with the full key path, the value it got and what
 * it expected. A key that is absent or explicitly {@code null} counts as not given.
 */
final class SpecSection {

    /** What an integer key accepts. */
    enum IntKind {
        ANY("an integer", Long.MIN_VALUE),
        NON_NEGATIVE("a non-negative integer", 0),
        POSITIVE("a positive integer", 1);

        private final String description;
        private final long min;

        IntKind(String description, long min) {
            this.description = description;
            this.min = min;
        }
    }

    private static final int MAX_SHOWN = 60;

    private final String path;
    private final JsonNode node;

    private SpecSection(String path, JsonNode node, List<String> keys) {
        this.path = path;
        this.node = node;
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!keys.contains(name)) {
                throw unknownKey(keyPath(name), name, keys, path);
            }
        }
    }

    /**
     * The mapping at {@code path}; {@code null} or a missing node is an empty mapping, so that a
     * missing section reports its first missing required key.
     */
    static SpecSection of(String path, JsonNode node, List<String> keys) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new SpecSection(path, JsonNodeFactory.instance.objectNode(), keys);
        }
        if (!node.isObject()) {
            throw new SpecException((path.isEmpty() ? "spec" : path) + ": expected a mapping with keys " + String.join(", ", keys)
                    + ", got " + show(node));
        }
        return new SpecSection(path, node, keys);
    }

    /** The dotted path of this mapping, such as {@code model.layers[1]}; empty for the top level. */
    String path() {
        return path;
    }

    String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return value(key) != null;
    }

    SpecSection section(String key, List<String> keys) {
        return of(keyPath(key), value(key), keys);
    }

    /** The mappings of a list; an absent list is empty. */
    List<SpecSection> sections(String key, List<String> keys) {
        JsonNode list = value(key);
        List<SpecSection> sections = new ArrayList<>();
        if (list == null) {
            return sections;
        }
        if (!list.isArray()) {
            throw new SpecException(keyPath(key) + ": expected a list, got " + show(list));
        }
        for (int i = 0; i < list.size(); i++) {
            String itemPath = keyPath(key) + "[" + i + "]";
            if (!list.get(i).isObject()) {
                throw new SpecException(itemPath + ": expected a mapping with keys " + String.join(", ", keys)
                        + ", got " + show(list.get(i)));
            }
            sections.add(of(itemPath, list.get(i), keys));
        }
        return sections;
    }

    /** A non-blank string, or {@code null} when not given. */
    String string(String key) {
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new SpecException(keyPath(key) + ": expected a string, got " + show(value));
        }
        SpecRules.text(keyPath(key), value.asText());
        return value.asText();
    }

    String requiredString(String key) {
        String value = string(key);
        if (value == null) {
            throw required(key);
        }
        return value;
    }

    /** A list of non-blank strings; empty when not given. */
    List<String> strings(String key) {
        JsonNode list = value(key);
        List<String> strings = new ArrayList<>();
        if (list == null) {
            return strings;
        }
        if (!list.isArray()) {
            throw new SpecException(keyPath(key) + ": expected a list of strings, got " + show(list));
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String itemPath = keyPath(key) + "[" + i + "]";
            if (!item.isTextual()) {
                throw new SpecException(itemPath + ": expected a string, got " + show(item));
            }
            SpecRules.text(itemPath, item.asText());
            strings.add(item.asText());
        }
        return strings;
    }

    /** A list of integers of {@code kind}; empty when not given. */
    List<Integer> integers(String key, IntKind kind) {
        JsonNode list = value(key);
        List<Integer> integers = new ArrayList<>();
        if (list == null) {
            return integers;
        }
        if (!list.isArray()) {
            throw new SpecException(keyPath(key) + ": expected a list of integers, got " + show(list));
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < kind.min) {
                throw new SpecException(keyPath(key) + "[" + i + "]: expected " + kind.description + ", got "
                        + show(item));
            }
            integers.add(item.intValue());
        }
        return integers;
    }

    /** A window size: {@code 3} for 3x3, or {@code [height, width]}; {@code defaultValue} when not given. */
    Size2D size2D(String key, Size2D defaultValue) {
        JsonNode value = value(key);
        if (value == null) {
            return defaultValue;
        }
        if (value.isArray()) {
            List<Integer> sides = integers(key, IntKind.POSITIVE);
            if (sides.size() != 2) {
                throw new SpecException(keyPath(key) + ": expected a positive integer or [height, width], got "
                        + show(value));
            }
            return new Size2D(sides.get(0), sides.get(1));
        }
        return Size2D.square(requiredInteger(key, IntKind.POSITIVE));
    }

    int integer(String key, IntKind kind, int defaultValue) {
        return has(key) ? requiredInteger(key, kind) : defaultValue;
    }

    int requiredInteger(String key, IntKind kind) {
        long value = requiredLong(key, kind);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new SpecException(keyPath(key) + ": expected " + kind.description + " (at most "
                    + Integer.MAX_VALUE + "), got " + value);
        }
        return (int) value;
    }

    long longInteger(String key, long defaultValue) {
        return has(key) ? requiredLong(key, IntKind.ANY) : defaultValue;
    }

    /** Integers may be written as {@code 3.0}, but not as {@code 3.5} or {@code "3"}. */
    long requiredLong(String key, IntKind kind) {
        JsonNode value = requiredValue(key);
        long result;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            result = value.longValue();
        } else if (value.isFloatingPointNumber() && value.doubleValue() == Math.rint(value.doubleValue())
                && Math.abs(value.doubleValue()) < 0x1p62) {
            result = (long) value.doubleValue();
        } else {
            throw new SpecException(keyPath(key) + ": expected " + kind.description + ", got " + show(value));
        }
        if (result < kind.min) {
            throw new SpecException(keyPath(key) + ": expected " + kind.description + ", got " + result);
        }
        return result;
    }

    double number(String key, double defaultValue) {
        return has(key) ? requiredNumber(key) : defaultValue;
    }

    double requiredNumber(String key) {
        JsonNode value = requiredValue(key);
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw new SpecException(keyPath(key) + ": expected a number, got " + show(value));
        }
        return value.doubleValue();
    }

    boolean bool(String key, boolean defaultValue) {
        return has(key) ? requiredBool(key) : defaultValue;
    }

    boolean requiredBool(String key) {
        JsonNode value = requiredValue(key);
        if (!value.isBoolean()) {
            throw new SpecException(keyPath(key) + ": expected true or false, got " + show(value));
        }
        return value.booleanValue();
    }

    /** An enum value in any case or alias; {@code defaultValue} (may be {@code null}) when not given. */
    <E extends Enum<E>> E choice(String key, Spelling<E> spelling, E defaultValue) {
        return has(key) ? requiredChoice(key, spelling) : defaultValue;
    }

    <E extends Enum<E>> E requiredChoice(String key, Spelling<E> spelling) {
        JsonNode value = value(key);
        if (value == null) {
            throw new SpecException(keyPath(key) + ": required; allowed: " + spelling.allowed());
        }
        E parsed = value.isValueNode() ? spelling.parse(value.asText()) : null;
        if (parsed == null) {
            String shown = value.isValueNode() ? "'" + value.asText() + "'" : show(value);
            throw new SpecException(keyPath(key) + ": unknown value " + shown + "; allowed: " + spelling.allowed());
        }
        return parsed;
    }

    SpecException required(String key) {
        return new SpecException(keyPath(key) + ": required");
    }

    private JsonNode value(String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    private JsonNode requiredValue(String key) {
        JsonNode value = value(key);
        if (value == null) {
            throw required(key);
        }
        return value;
    }

    /** A value as the user wrote it: strings quoted, numbers bare, long lists cut short. */
    static String show(JsonNode value) {
        String shown = value.toString();
        return shown.length() <= MAX_SHOWN ? shown : shown.substring(0, MAX_SHOWN) + "...";
    }

    private static SpecException unknownKey(String fullKey, String key, List<String> keys, String sectionPath) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : keys) {
            int distance = distance(normalise(key), normalise(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int tolerance = key.length() >= 6 ? 2 : 1;
        if (best != null && bestDistance <= tolerance) {
            String suggestion = sectionPath.isEmpty() ? best : sectionPath + "." + best;
            return new SpecException("unknown key '" + fullKey + "' (did you mean '" + suggestion + "'?)");
        }
        return new SpecException("unknown key '" + fullKey + "'; allowed: " + String.join(", ", keys));
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
