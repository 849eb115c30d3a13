package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The value types of the job spec. Reading is strict and fails with one line: integers may be
 * written {@code 3.0} but not {@code 3.5} or {@code "3"}, strings must not be blank, choices take
 * any case and the aliases of their {@link Spelling}.
 */
final class ValueTypes {

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

    static final ValueType<String> STRING = new Text();
    static final ValueType<List<String>> STRINGS = new Texts();
    static final ValueType<List<Integer>> POSITIVE_INTEGERS = new Integers();
    static final ValueType<Integer> POSITIVE_INT = new Int(IntKind.POSITIVE);
    static final ValueType<Integer> NON_NEGATIVE_INT = new Int(IntKind.NON_NEGATIVE);
    static final ValueType<Long> LONG = new LongInt();
    static final ValueType<Double> NUMBER = new Decimal();
    static final ValueType<Boolean> BOOLEAN = new Bool();
    static final ValueType<Size2D> SIZE_2D = new Window();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ValueTypes() {
    }

    static <E extends Enum<E>> ValueType<E> choice(Spelling<E> spelling) {
        return new Choice<>(spelling);
    }

    private static JsonNode text(String value) {
        return value == null ? NullNode.instance : TextNode.valueOf(value);
    }

    private record Text() implements ValueType<String> {
        @Override
        public String name() {
            return "string";
        }

        @Override
        public String read(JsonNode node, String path, SpecValues owner) {
            if (!node.isTextual()) {
                throw new SpecException(path + ": expected a string, got " + SpecValues.show(node));
            }
            SpecRules.text(path, node.asText());
            return node.asText();
        }

        @Override
        public JsonNode write(String value) {
            return text(value);
        }
    }

    private record Texts() implements ValueType<List<String>> {
        @Override
        public String name() {
            return "list of strings";
        }

        @Override
        public List<String> read(JsonNode node, String path, SpecValues owner) {
            if (!node.isArray()) {
                throw new SpecException(path + ": expected a list of strings, got " + SpecValues.show(node));
            }
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                strings.add(STRING.read(node.get(i), path + "[" + i + "]", owner));
            }
            return strings;
        }

        @Override
        public JsonNode write(List<String> value) {
            ArrayNode array = NODES.arrayNode();
            value.forEach(array::add);
            return array;
        }

        @Override
        public List<String> whenAbsent(String path, SpecValues owner) {
            return none();
        }

        @Override
        public List<String> none() {
            return List.of();
        }
    }

    private record Integers() implements ValueType<List<Integer>> {
        @Override
        public String name() {
            return "list of integers";
        }

        @Override
        public List<Integer> read(JsonNode node, String path, SpecValues owner) {
            if (!node.isArray()) {
                throw new SpecException(path + ": expected a list of integers, got " + SpecValues.show(node));
            }
            List<Integer> integers = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < IntKind.POSITIVE.min) {
                    throw new SpecException(path + "[" + i + "]: expected " + IntKind.POSITIVE.description + ", got "
                            + SpecValues.show(item));
                }
                integers.add(item.intValue());
            }
            return integers;
        }

        @Override
        public JsonNode write(List<Integer> value) {
            ArrayNode array = NODES.arrayNode();
            value.forEach(array::add);
            return array;
        }

        @Override
        public List<Integer> whenAbsent(String path, SpecValues owner) {
            return none();
        }

        @Override
        public List<Integer> none() {
            return List.of();
        }
    }

    /** Integers may be written as {@code 3.0}, but not as {@code 3.5} or {@code "3"}. */
    static long readLong(JsonNode node, String path, IntKind kind) {
        long result;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            result = node.longValue();
        } else if (node.isFloatingPointNumber() && node.doubleValue() == Math.rint(node.doubleValue())
                && Math.abs(node.doubleValue()) < 0x1p62) {
            result = (long) node.doubleValue();
        } else {
            throw new SpecException(path + ": expected " + kind.description + ", got " + SpecValues.show(node));
        }
        if (result < kind.min) {
            throw new SpecException(path + ": expected " + kind.description + ", got " + result);
        }
        return result;
    }

    private record Int(IntKind kind) implements ValueType<Integer> {
        @Override
        public String name() {
            return "integer";
        }

        @Override
        public Integer read(JsonNode node, String path, SpecValues owner) {
            long value = readLong(node, path, kind);
            if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
                throw new SpecException(path + ": expected " + kind.description + " (at most " + Integer.MAX_VALUE
                        + "), got " + value);
            }
            return (int) value;
        }

        @Override
        public JsonNode write(Integer value) {
            return IntNode.valueOf(value);
        }

        @Override
        public ValueType<Integer> allowingZero() {
            return kind == IntKind.POSITIVE ? NON_NEGATIVE_INT : this;
        }
    }

    private record LongInt() implements ValueType<Long> {
        @Override
        public String name() {
            return "integer";
        }

        @Override
        public Long read(JsonNode node, String path, SpecValues owner) {
            return readLong(node, path, IntKind.ANY);
        }

        @Override
        public JsonNode write(Long value) {
            return value == null ? NullNode.instance : LongNode.valueOf(value);
        }
    }

    private record Decimal() implements ValueType<Double> {
        @Override
        public String name() {
            return "number";
        }

        @Override
        public Double read(JsonNode node, String path, SpecValues owner) {
            if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
                throw new SpecException(path + ": expected a number, got " + SpecValues.show(node));
            }
            return node.doubleValue();
        }

        @Override
        public JsonNode write(Double value) {
            return DoubleNode.valueOf(value);
        }

        /** {@code 0.1}, {@code 255} for 255.0, {@code 1e-8}: as a person writes it. */
        @Override
        public String show(Double value) {
            return SpecRules.format(value).replaceAll("\\.0E", "E").replace('E', 'e');
        }
    }

    private record Bool() implements ValueType<Boolean> {
        @Override
        public String name() {
            return "boolean";
        }

        @Override
        public Boolean read(JsonNode node, String path, SpecValues owner) {
            if (!node.isBoolean()) {
                throw new SpecException(path + ": expected true or false, got " + SpecValues.show(node));
            }
            return node.booleanValue();
        }

        @Override
        public JsonNode write(Boolean value) {
            return BooleanNode.valueOf(value);
        }
    }

    /** A window size: {@code 3} for 3x3, or {@code [height, width]}. */
    private record Window() implements ValueType<Size2D> {
        @Override
        public String name() {
            return "integer or `[height, width]`";
        }

        @Override
        public Size2D read(JsonNode node, String path, SpecValues owner) {
            if (node.isArray()) {
                List<Integer> sides = POSITIVE_INTEGERS.read(node, path, owner);
                if (sides.size() != 2) {
                    throw new SpecException(path + ": expected a positive integer or [height, width], got "
                            + SpecValues.show(node));
                }
                return new Size2D(sides.get(0), sides.get(1));
            }
            return Size2D.square(POSITIVE_INT.read(node, path, owner));
        }

        @Override
        public JsonNode write(Size2D value) {
            return value == null ? NullNode.instance : NODES.arrayNode().add(value.height()).add(value.width());
        }
    }

    private record Choice<E extends Enum<E>>(Spelling<E> spelling) implements ValueType<E> {
        @Override
        public String name() {
            return "choice";
        }

        @Override
        public E read(JsonNode node, String path, SpecValues owner) {
            E parsed = node.isValueNode() ? spelling.parse(node.asText()) : null;
            if (parsed == null) {
                String shown = node.isValueNode() ? "'" + node.asText() + "'" : SpecValues.show(node);
                throw new SpecException(path + ": unknown value " + shown + "; allowed: " + spelling.allowed());
            }
            return parsed;
        }

        @Override
        public JsonNode write(E value) {
            return text(value == null ? null : spelling.name(value));
        }

        @Override
        public E whenAbsent(String path, SpecValues owner) {
            throw new SpecException(path + ": required; allowed: " + spelling.allowed());
        }

        @Override
        public String show(E value) {
            return spelling.name(value);
        }

        @Override
        public List<String> spellings() {
            return spelling.spellings();
        }
    }
}
