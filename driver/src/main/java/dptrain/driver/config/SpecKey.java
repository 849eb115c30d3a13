package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One key of the job spec, declared once: its section and name, its type, what an absent key means,
 * its value rule, when it may be given at all, what older canonical JSON without it means, and its
 * row in the README's reference tables. {@link SpecValues} reads keys from a spec file or canonical
 * JSON through this declaration, {@link SpecSection#write} writes them, the records' compact
 * constructors apply the rule ({@link #check}), so a spec built in code is checked with the same
 * words, and {@code SpecDocTest} checks the README's tables against the declarations.
 *
 * @param <R> the record that holds the value
 * @param <T> the value's Java type
 */
final class SpecKey<R, T> {

    /** What a key that is not given means when a spec file is read. */
    @FunctionalInterface
    interface Fallback<T> {
        T resolve(SpecKey<?, T> key, SpecValues values);
    }

    /** A rule on a value wherever it comes from: a spec file, canonical JSON or a record built in code. */
    @FunctionalInterface
    interface Rule<T> {
        /** @throws SpecException naming {@code path}, the value and what is allowed */
        void check(String path, T value);
    }

    /** Absent means nothing: {@code null}, or an empty list. */
    @SuppressWarnings("rawtypes")
    private static final Fallback NONE = (key, values) -> key.type.none();

    private final SpecSection<R> section;
    private final String name;
    private final ValueType<T> type;
    private final Function<R, T> value;
    private final Fallback<T> fallback;
    private final Rule<T> rule;
    private final T constant;
    private final String defaultDoc;
    private final Predicate<SpecValues> usedWhen;
    private final Function<SpecValues, String> unusedProblem;
    private final boolean refusedFirst;
    private final boolean hasUnused;
    private final T unused;
    private final Function<SpecValues, T> legacy;
    private final String allowed;
    private final String doc;

    private SpecKey(Builder<R, T> builder) {
        section = builder.section;
        name = builder.name;
        type = builder.type;
        value = builder.value;
        fallback = builder.fallback;
        rule = builder.rule;
        constant = builder.constant;
        defaultDoc = builder.defaultDoc;
        usedWhen = builder.usedWhen;
        unusedProblem = builder.unusedProblem;
        refusedFirst = builder.refusedFirst;
        unused = builder.unused;
        hasUnused = builder.unusedSet;
        legacy = builder.legacy;
        allowed = builder.allowed;
        doc = builder.doc;
    }

    /** Starts the declaration of {@code section.name}, whose value a record gives by {@code value}. */
    static <R, T> Builder<R, T> in(SpecSection<R> section, String name, ValueType<T> type, Function<R, T> value) {
        return new Builder<>(section, name, type, value);
    }

    String name() {
        return name;
    }

    /** {@code training.batch_size}; {@code model.layers[i].units} for the keys of list entries. */
    String path() {
        return section.path().isEmpty() ? name : section.path() + "." + name;
    }

    ValueType<T> type() {
        return type;
    }

    /**
     * The default of a key whose default is one value; for code outside this package that builds specs.
     *
     * @throws IllegalStateException if the default follows from other keys, or there is none
     */
    T defaultValue() {
        if (constant == null) {
            throw new IllegalStateException(path() + " has no single default");
        }
        return constant;
    }

    /** Applies the key's rule; the records' compact constructors call it, so every source is checked alike. */
    void check(T given) {
        rule.check(path(), given);
    }

    /** As {@link #check(Object)}, for a key of the list entry at {@code entryPath} ({@code model.layers[2]}). */
    void check(String entryPath, T given) {
        rule.check(entryPath + "." + name, given);
    }

    JsonNode write(R record) {
        return type.write(value.apply(record));
    }

    /**
     * A spec file: a key given where it does not apply fails, for the keys that
     * {@link Builder#refusedFirst} before any value of its section is read.
     */
    void refuseIfInapplicable(JsonNode node, String path, SpecValues values) {
        if (refusedFirst && node != null && !usedWhen.test(values)) {
            throw new SpecException(path + ": " + unusedProblem.apply(values));
        }
    }

    /** A spec file: a key that does not apply may not be given and then holds its unused value. */
    T load(JsonNode node, String path, SpecValues values) {
        if (usedWhen != null && !usedWhen.test(values)) {
            if (node != null) {
                throw new SpecException(path + ": " + unusedProblem.apply(values));
            }
            if (hasUnused) {
                return unused;
            }
        }
        return node != null ? type.read(node, path, values) : fallback.resolve(this, values);
    }

    /**
     * Canonical JSON: every key as written (0 or {@code null} where it does not apply); a key newer
     * than the JSON takes its {@link Builder#absentFromOlderJson legacy} value.
     */
    T readCanonical(JsonNode node, String path, SpecValues values) {
        if (node != null) {
            return (usedWhen != null ? type.allowingZero() : type).read(node, path, values);
        }
        if (legacy != null) {
            return legacy.apply(values);
        }
        if (fallback == NONE || hasUnused && unused == null) {
            return type.none();
        }
        return type.whenAbsent(path, values);
    }

    /** The reference row: type, default, allowed values and meaning; {@code null} for a table's section. */
    String referenceRow() {
        if (doc == null) {
            return null;
        }
        return "| `" + path() + "` | " + type.name() + " | " + defaultDoc + " | " + allowed + " | " + doc + " |";
    }

    /** Collects one declaration; {@link #declare} adds the key to its section. */
    static final class Builder<R, T> {
        private final SpecSection<R> section;
        private final String name;
        private final ValueType<T> type;
        private final Function<R, T> value;
        private Fallback<T> fallback = (key, values) -> key.type.whenAbsent(values.keyPath(key.name), values);
        private Rule<T> rule = (path, value) -> { };
        private T constant;
        private String defaultDoc = "required";
        private Predicate<SpecValues> usedWhen;
        private Function<SpecValues, String> unusedProblem;
        private boolean refusedFirst;
        private boolean unusedSet;
        private T unused;
        private Function<SpecValues, T> legacy;
        private String allowed = "";
        private String doc;

        private Builder(SpecSection<R> section, String name, ValueType<T> type, Function<R, T> value) {
            this.section = section;
            this.name = name;
            this.type = type;
            this.value = value;
        }

        String name() {
            return name;
        }

        /** Absent means {@code value}; the table shows it in backquotes, followed by {@code note}. */
        Builder<R, T> byDefault(T value, String note) {
            constant = Objects.requireNonNull(value, "value");
            fallback = (key, values) -> value;
            defaultDoc = "`" + type.show(value) + "`" + note;
            return this;
        }

        Builder<R, T> byDefault(T value) {
            return byDefault(value, "");
        }

        /** Absent means a value that follows from other keys, described in the table as {@code doc}. */
        Builder<R, T> byDefault(Fallback<T> derived, String doc) {
            fallback = derived;
            defaultDoc = doc;
            return this;
        }

        /** Absent means nothing ({@code null}, or an empty list); {@code doc} says what that means. */
        Builder<R, T> optional(String doc) {
            @SuppressWarnings("unchecked")
            Fallback<T> none = NONE;
            fallback = none;
            defaultDoc = doc;
            return this;
        }

        /** Required; {@code doc} says when, if not always. */
        Builder<R, T> required(String doc) {
            defaultDoc = doc;
            return this;
        }

        /**
         * The key applies only when {@code when} holds; otherwise giving it fails with
         * {@code <path>: <problem>} and the record holds {@code unused}.
         */
        Builder<R, T> onlyWhen(Predicate<SpecValues> when, Function<SpecValues, String> problem, T unused) {
            onlyWhen(when, problem);
            this.unused = unused;
            unusedSet = true;
            return this;
        }

        /** As {@link #onlyWhen(Predicate, Function, Object)}, but absent means the default even then. */
        Builder<R, T> onlyWhen(Predicate<SpecValues> when, Function<SpecValues, String> problem) {
            usedWhen = when;
            unusedProblem = problem;
            return this;
        }

        /**
         * The rule of {@link #onlyWhen} depends only on the section's kind (a layer's type, the data
         * format): the section refuses the key right after reading its kind, before any other value
         * ({@link SpecValues#refuseInapplicable}), rather than when the key's own value is read.
         */
        Builder<R, T> refusedFirst() {
            refusedFirst = true;
            return this;
        }

        /** Canonical JSON written before this key existed (older checkpoints) means {@code value}. */
        Builder<R, T> absentFromOlderJson(Function<SpecValues, T> value) {
            legacy = value;
            return this;
        }

        /** As {@link #absentFromOlderJson(Function)}, with the key's default. */
        Builder<R, T> absentFromOlderJsonIsTheDefault() {
            T value = Objects.requireNonNull(constant, "a default first");
            legacy = values -> value;
            return this;
        }

        /** The value's rule beyond its type ({@link SpecRules}); the allowed-values column says it in words. */
        Builder<R, T> validate(Rule<T> rule) {
            this.rule = rule;
            return this;
        }

        /** The allowed-values and meaning columns of the reference table. */
        Builder<R, T> doc(String allowed, String doc) {
            this.allowed = allowed;
            this.doc = doc;
            return this;
        }

        SpecKey<R, T> declare() {
            SpecKey<R, T> key = new SpecKey<>(this);
            section.add(key);
            return key;
        }
    }
}
