package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One mapping of the job spec ({@code data}, {@code training.optimizer}, a layer...) as declared: its
 * keys in their canonical order (the order of the record's components and of the canonical JSON) and
 * how their values become the record. The record is built the same way from a spec file (absent keys
 * take their defaults) and from canonical JSON (every key given); see {@link SpecValues}.
 *
 * @param <R> the record a mapping of this section becomes
 */
final class SpecSection<R> {

    private final String path;
    private final List<SpecKey<R, ?>> keys = new ArrayList<>();
    private final Function<SpecValues, R> build;

    /**
     * @param path  the dotted path as the reference tables write it, {@code model.layers[i]} for a list
     *              entry; empty for the top level
     * @param build the record from the section's values, read through {@link SpecValues#get}
     */
    SpecSection(String path, Function<SpecValues, R> build) {
        this.path = path;
        this.build = build;
    }

    String path() {
        return path;
    }

    /** The keys in canonical order. */
    List<SpecKey<R, ?>> keys() {
        return Collections.unmodifiableList(keys);
    }

    /** The key names, comma separated, as errors list them. */
    String keyList() {
        return String.join(", ", names());
    }

    List<String> names() {
        return keys.stream().map(SpecKey::name).toList();
    }

    /** Every key of this section and of the sections nested in it, depth first, in canonical order. */
    List<SpecKey<?, ?>> allKeys() {
        List<SpecKey<?, ?>> all = new ArrayList<>();
        for (SpecKey<R, ?> key : keys) {
            all.add(key);
            SpecSection<?> nested = key.type().nested();
            if (nested != null) {
                all.addAll(nested.allKeys());
            }
        }
        return all;
    }

    /** Called once per key, by {@link SpecKey.Builder#declare}, in declaration order. */
    void add(SpecKey<R, ?> key) {
        keys.add(key);
    }

    /** The type of a key whose value is a mapping of this section. */
    ValueType<R> asValue() {
        return new Nested<>(this);
    }

    /** The type of a key whose value is a list of mappings of this section; {@code name} is the table's word. */
    ValueType<List<R>> asList(String name) {
        return new Entries<>(this, name);
    }

    R read(SpecValues values) {
        return build.apply(values);
    }

    /** The canonical JSON of {@code record}: every key, in declaration order. */
    ObjectNode write(R record) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (SpecKey<R, ?> key : keys) {
            node.set(key.name(), key.write(record));
        }
        return node;
    }

    private record Nested<R>(SpecSection<R> section) implements ValueType<R> {
        @Override
        public String name() {
            return "mapping";
        }

        @Override
        public R read(JsonNode node, String path, SpecValues owner) {
            return section.read(owner.nested(section, path, node));
        }

        @Override
        public JsonNode write(R value) {
            return value == null ? NullNode.instance : section.write(value);
        }

        @Override
        public SpecSection<?> nested() {
            return section;
        }

        /** A missing section is an empty one, so that it reports its first missing required key. */
        @Override
        public R whenAbsent(String path, SpecValues owner) {
            return read(JsonNodeFactory.instance.objectNode(), path, owner);
        }
    }

    private record Entries<R>(SpecSection<R> section, String name) implements ValueType<List<R>> {
        @Override
        public List<R> read(JsonNode node, String path, SpecValues owner) {
            if (!node.isArray()) {
                throw new SpecException(path + ": expected a list, got " + SpecValues.show(node));
            }
            // every entry's shape and key names first, then the values
            List<SpecValues> entries = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                String itemPath = path + "[" + i + "]";
                if (!node.get(i).isObject()) {
                    throw new SpecException(itemPath + ": expected a mapping with keys " + section.keyList()
                            + ", got " + SpecValues.show(node.get(i)));
                }
                entries.add(owner.nested(section, itemPath, node.get(i)));
            }
            List<R> records = new ArrayList<>();
            for (SpecValues entry : entries) {
                records.add(section.read(entry));
            }
            return records;
        }

        @Override
        public JsonNode write(List<R> value) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            value.forEach(record -> array.add(section.write(record)));
            return array;
        }

        @Override
        public SpecSection<?> nested() {
            return section;
        }

        @Override
        public List<R> whenAbsent(String path, SpecValues owner) {
            return none();
        }

        @Override
        public List<R> none() {
            return List.of();
        }
    }
}
