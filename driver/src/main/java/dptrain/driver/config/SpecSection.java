package dptrain.driver.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
}
