package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The type of a spec key: how a value is read from the spec tree (with the one-line error that names
 * the key, the value and what was expected), how it is written to the canonical JSON, and what the
 * reference tables call it. The implementations are in {@link ValueTypes}.
 *
 * @param <T> the Java type of the value in the spec records
 */
interface ValueType<T> {

    /** What the type column of the reference tables says, such as {@code integer} or {@code choice}. */
    String name();

    /** The value at {@code path}; {@code node} is neither missing nor {@code null}. */
    T read(JsonNode node, String path, SpecValues owner);

    /** The canonical JSON of {@code value}, which may be {@code null}. */
    JsonNode write(T value);

    /** A required key that is not given: fails, except for lists and sections, which read as empty. */
    default T whenAbsent(String path, SpecValues owner) {
        throw new SpecException(path + ": required");
    }

    /** The value of a key that is not given and has no default. */
    default T none() {
        return null;
    }

    /** A default as the reference tables show it, without the backquotes. */
    default String show(T value) {
        return String.valueOf(value);
    }

    /** The mapping a value of this type is, for the types that nest a section; {@code null} otherwise. */
    default SpecSection<?> nested() {
        return null;
    }

    /** The words a choice accepts, aliases included, which its reference row must list; empty otherwise. */
    default List<String> spellings() {
        return List.of();
    }

    /** The same type for canonical JSON, where a key that does not apply holds 0. */
    default ValueType<T> allowingZero() {
        return this;
    }
}
