package dptrain.driver.config;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The value rules shared by the loader (which checks a value where it reads it) and the records'
 * compact constructors (which check specs built in code), so both say the same words.
 */
final class SpecRules {

    private SpecRules() {
    }

    static void positive(String key, long value) {
        if (value < 1) {
            throw new SpecException(key + ": expected a positive integer, got " + value);
        }
    }

    static void nonNegative(String key, long value) {
        if (value < 0) {
            throw new SpecException(key + ": expected a non-negative integer, got " + value);
        }
    }

    static void atLeastZero(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new SpecException(key + ": must be >= 0, got " + format(value));
        }
    }

    static void greaterThanZero(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new SpecException(key + ": must be > 0, got " + format(value));
        }
    }

    /** Fractions and decay rates: {@code [0, 1)}. */
    static void fraction(String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new SpecException(key + ": must be in [0, 1), got " + format(value));
        }
    }

    /** A Hive partition column name. */
    static void partitionColumn(String key, String value) {
        if (!PARTITION_COLUMN.matcher(Objects.requireNonNull(value, "partitionColumn")).matches()) {
            throw new SpecException(key + ": expected a column name (letters, digits, _), got '" + value + "'");
        }
    }

    /** A schedule's factor per drop or per iteration: {@code (0, 1]}. */
    static void decayFactor(String key, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new SpecException(key + ": must be in (0, 1], got " + format(value));
        }
    }

    /** A path or URI that must be given and not blank. */
    static void text(String key, String value) {
        if (value == null) {
            throw new SpecException(key + ": required");
        }
        if (value.isBlank()) {
            throw new SpecException(key + ": must not be empty, got \"" + value + "\"");
        }
    }

    /** The formats for which a format-specific key may be given; every other key suits all formats. */
    static Set<DataFormat> formatsFor(String key) {
        return switch (key) {
            case "label", "features", "since", "partition_column" -> EnumSet.of(DataFormat.CSV, DataFormat.PARQUET,
                    DataFormat.TABLE, DataFormat.DELTA, DataFormat.SOURCE);
            case "header" -> EnumSet.of(DataFormat.CSV);
            case "num_features" -> EnumSet.of(DataFormat.LIBSVM);
            case "options" -> EnumSet.of(DataFormat.DELTA, DataFormat.SOURCE);
            case "version", "timestamp" -> EnumSet.of(DataFormat.DELTA);
            default -> EnumSet.allOf(DataFormat.class);
        };
    }

    /** A Hive partition column name, as Spark writes them. */
    static final Pattern PARTITION_COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** {@code today}, or {@code today-7d}: a date relative to the day the spec is read. */
    private static final Pattern RELATIVE_DATE = Pattern.compile("today(?:-(\\d{1,5})d)?");

    /** An ISO date, {@code 2026-11-23}, in its canonical spelling; one line naming the key otherwise. */
    static String date(String key, String value) {
        try {
            return LocalDate.parse(value.trim()).toString();
        } catch (DateTimeParseException e) {
            throw new SpecException(key + ": expected a date YYYY-MM-DD, got '" + value + "'");
        }
    }

    /**
     * A date as a spec file may give it: ISO {@code YYYY-MM-DD}, or {@code today} / {@code today-Nd}
     * (N days before {@code today}), so that a scheduler can run the same spec every day without
     * templating. The result is always the ISO date: the spec a run records says which day it read.
     */
    static String date(String key, String value, LocalDate today) {
        Matcher relative = RELATIVE_DATE.matcher(value.trim());
        if (relative.matches()) {
            return today.minusDays(relative.group(1) == null ? 0 : Long.parseLong(relative.group(1))).toString();
        }
        try {
            return LocalDate.parse(value.trim()).toString();
        } catch (DateTimeParseException e) {
            throw new SpecException(key + ": expected a date YYYY-MM-DD, today or today-Nd (N days before today,"
                    + " UTC), got '" + value + "'");
        }
    }

    static SpecException notForFormat(String key, DataFormat format) {
        return notForFormat(key, Spelling.DATA_FORMAT.name(format));
    }

    static SpecException notForFormat(String key, String formatName) {
        return new SpecException(key + ": " + notForFormatProblem(key.substring(key.lastIndexOf('.') + 1),
                formatName));
    }

    /**
     * {@code not allowed for format idx; only for csv, parquet}, for the data key {@code name};
     * {@code formatName} is the format as the spec names it (a Spark source by its own name).
     */
    static String notForFormatProblem(String name, String formatName) {
        String allowed = formatsFor(name).stream()
                .map(format -> format == DataFormat.SOURCE ? "other Spark sources" : Spelling.DATA_FORMAT.name(format))
                .collect(Collectors.joining(", "));
        return "not allowed for format " + formatName + "; only for " + allowed;
    }

    /**
     * A Delta {@code timestampAsOf}: a date or a date and time as Spark casts it to a timestamp
     * ({@code 2026-11-23}, {@code 2026-11-23 08:00:00}, {@code 2026-11-23T08:00:00Z}).
     */
    static void timestamp(String key, String value) {
        text(key, value);
        String text = value.trim().replace(' ', 'T');
        for (java.util.function.Consumer<String> parse : List.<java.util.function.Consumer<String>>of(
                LocalDate::parse, LocalDateTime::parse, OffsetDateTime::parse)) {
            try {
                parse.accept(text);
                return;
            } catch (DateTimeParseException e) {
                // the next form
            }
        }
        throw new SpecException(key + ": expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (optionally with a zone), got '"
                + value + "'");
    }

    /**
     * DL4J drops L2 regularisation when weight decay is added (the two would apply the same
     * shrinkage twice), so a spec with both would silently lose {@code model.l2}.
     */
    static void regularisation(double l2, double weightDecay) {
        if (l2 > 0 && weightDecay > 0) {
            throw new SpecException("training.optimizer.weight_decay: cannot be combined with model.l2 ("
                    + format(l2) + "); set one of them to 0 (adamw decays by 0.01 unless told otherwise), got "
                    + format(weightDecay));
        }
    }

    static SpecException lossRequired(String layerPath) {
        return new SpecException(layerPath + ".loss: required for the output layer; allowed: "
                + Spelling.LOSS.allowed());
    }

    /** {@code 1.5}, {@code 3} for 3.0, {@code 1.0E-8}: what a user recognises as the value they wrote. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
