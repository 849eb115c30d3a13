package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The keys of the {@code data} section, declared once ({@link SpecKey}); they become a {@link DataSpec}. */
final class DataKeys {

    static final SpecSection<DataSpec> SECTION = new SpecSection<>("data", DataKeys::build);

    static final SpecKey<DataSpec, String> FORMAT = SpecKey.in(SECTION, "format", new FormatName(),
                    DataSpec::formatName)
            .required("required")
            .doc("`idx`, `csv`, `parquet`, `libsvm`, `table`, `delta`, or a Spark data source name (`orc`, `json`,"
                            + " `avro`, …)",
                    "how `train` and `test` are read: a file format; `table`: a table of the Spark catalog by"
                    + " name; `delta`: a Delta Lake table path; any other name: that Spark data source with"
                    + " `data.options`, its columns read like Parquet's")
            .declare();
    static final SpecKey<DataSpec, String> TRAIN = SpecKey.in(SECTION, "train", ValueTypes.STRING, DataSpec::train)
            .required("required")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI; a table name for `table`",
                    "training data; for `idx` the images file, the labels file is found beside it")
            .declare();
    static final SpecKey<DataSpec, String> TEST = SpecKey.in(SECTION, "test", ValueTypes.STRING, DataSpec::test)
            .optional("none")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI; a table name for `table`",
                    "optional test set in the same format, evaluated once at the end")
            .declare();
    static final SpecKey<DataSpec, String> LABEL = forFormats(SpecKey.in(SECTION, "label", ValueTypes.STRING,
                    DataSpec::label))
            .optional("none")
            .validate(SpecRules::text)
            .doc("a column name",
                    "label column; required for every format but `idx` and `libsvm`, where it is not allowed")
            .declare();
    static final SpecKey<DataSpec, List<String>> FEATURES = forFormats(SpecKey.in(SECTION, "features",
                    ValueTypes.STRINGS, DataSpec::features))
            .optional("all columns but the label")
            .doc("column names, no duplicates, not the label",
                    "feature columns; not for `idx` and `libsvm`")
            .declare();
    static final SpecKey<DataSpec, Boolean> HEADER = forFormats(SpecKey.in(SECTION, "header", ValueTypes.BOOLEAN,
                    DataSpec::header))
            .byDefault(true)
            .doc("`true`, `false`",
                    "whether the CSV file starts with a header line; `csv` only")
            .declare();
    static final SpecKey<DataSpec, Double> VALIDATION_FRACTION = SpecKey.in(SECTION, "validation_fraction",
                    ValueTypes.NUMBER, DataSpec::validationFraction)
            .byDefault(0.1)
            .validate(SpecRules::fraction)
            .doc("`[0, 1)`",
                    "fraction of `train` held out for validation (seeded split)")
            .declare();
    static final SpecKey<DataSpec, Normalization> NORMALIZE = SpecKey.in(SECTION, "normalize",
                    ValueTypes.choice(Spelling.NORMALIZATION), DataSpec::normalize)
            .byDefault(Normalization.NONE)
            .doc("`none`, `standard`, `minmax`, `scale`",
                    "feature normalisation, statistics from the training split only: `standard` = zero mean,"
                    + " unit variance; `minmax` = to [0, 1]; `scale` = divide by `data.scale`")
            .declare();
    static final SpecKey<DataSpec, Double> SCALE = SpecKey.in(SECTION, "scale", ValueTypes.NUMBER, DataSpec::scale)
            .onlyWhen(values -> values.get(NORMALIZE) == Normalization.SCALE,
                    values -> "only used with normalize: scale, got normalize: "
                            + Spelling.NORMALIZATION.name(values.get(NORMALIZE)))
            .byDefault(255.0)
            .validate(SpecRules::greaterThanZero)
            .doc("`> 0`",
                    "divisor for `normalize: scale`; only allowed with `normalize: scale`")
            .declare();
    static final SpecKey<DataSpec, Integer> NUM_FEATURES = forFormats(SpecKey.in(SECTION, "num_features",
                    ValueTypes.NON_NEGATIVE_INT, DataSpec::numFeatures))
            .byDefault(0)
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "LibSVM feature count, `0` = infer from the data; `libsvm` only")
            .declare();
    static final SpecKey<DataSpec, List<Integer>> SHAPE = SpecKey.in(SECTION, "shape", ValueTypes.POSITIVE_INTEGERS,
                    DataSpec::shape)
            .optional("none (flat vectors)")
            .doc("`[channels, height, width]`, positive, product = feature count",
                    "rows are images stored flat, channel-major (IDX images are `[1, 28, 28]`); required by"
                    + " `convolution`/`pooling`/`global_pooling` layers; checked against the data's feature"
                    + " count when it is read")
            .declare();
    /** Newer than spec version 1's first checkpoints: absent there means all of {@code data.train}. */
    static final SpecKey<DataSpec, String> SINCE = forFormats(SpecKey.in(SECTION, "since", new RelativeDate(),
                    DataSpec::since))
            .optional("none (all partitions)")
            .doc("`YYYY-MM-DD`, `today`, `today-Nd` (N days before today, UTC)",
                    "read only the date partitions `<partition_column>=YYYY-MM-DD` of `data.train` from this"
                    + " date on (`dptrain retrain`'s new data); a relative date is resolved when the spec is"
                    + " read, and runs record the date; for `table`, `delta` and other Spark sources, the rows"
                    + " whose `partition_column` is on or after the date; not for `idx` and `libsvm`; an error"
                    + " when `data.train` has no such partitions or none from that date on")
            .declare();
    /** Hive-style partition directories of {@code data.train}: {@code date=YYYY-MM-DD}. */
    static final SpecKey<DataSpec, String> PARTITION_COLUMN = forFormats(SpecKey.in(SECTION, "partition_column",
                    ValueTypes.STRING, DataSpec::partitionColumn))
            .byDefault("date")
            .absentFromOlderJsonIsTheDefault()
            .validate(SpecRules::partitionColumn)
            .doc("a column name (letters, digits, `_`)",
                    "the name of the date partition directories: a `data.train` or `data.test` directory with"
                    + " `<partition_column>=YYYY-MM-DD` subdirectories is read partition by partition (all of"
                    + " them unless `data.since`), and the partition column is never a feature; for `table`,"
                    + " `delta` and other Spark sources the (date or `YYYY-MM-DD` string) column `data.since`"
                    + " filters on; not for `idx` and `libsvm`")
            .declare();
    static final SpecKey<DataSpec, Map<String, String>> OPTIONS = forFormats(SpecKey.in(SECTION, "options",
                    new Options(), DataSpec::options))
            .optional("none")
            .doc("a mapping of option names to strings, numbers or booleans",
                    "options for Spark's reader of `delta` and other Spark sources, as"
                    + " `spark.read().format(...).option(key, value)` takes them; `delta` and other Spark sources")
            .declare();
    static final SpecKey<DataSpec, Long> VERSION = forFormats(SpecKey.in(SECTION, "version", ValueTypes.LONG,
                    DataSpec::version))
            .optional("none (the latest version when read)")
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`; not with `data.timestamp`",
                    "the Delta table version to read (Delta's `versionAsOf`), for a reproducible retrain; the"
                    + " version read, pinned or latest, goes into the model card (`data_version`) and the"
                    + " retrain record; `delta` only")
            .declare();
    static final SpecKey<DataSpec, String> TIMESTAMP = forFormats(SpecKey.in(SECTION, "timestamp",
                    ValueTypes.STRING, DataSpec::timestamp))
            .optional("none (the latest version when read)")
            .validate(SpecRules::timestamp)
            .doc("`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (session time zone, or with an offset); not with"
                            + " `data.version`",
                    "read the Delta table as of this time (Delta's `timestampAsOf`): the latest version committed"
                    + " at or before it, recorded like `data.version`; `delta` only")
            .declare();

    private DataKeys() {
    }

    private static DataSpec build(SpecValues values) {
        String name = values.get(FORMAT);
        DataFormat format = format(name);
        values.refuseInapplicable();
        return new DataSpec(format, values.get(TRAIN), values.get(TEST), values.get(LABEL),
                values.get(FEATURES), values.get(HEADER), values.get(VALIDATION_FRACTION), values.get(NORMALIZE),
                values.get(SCALE), values.get(NUM_FEATURES), values.get(SHAPE), values.get(SINCE),
                values.get(PARTITION_COLUMN), format == DataFormat.SOURCE ? name : null, values.get(OPTIONS),
                values.get(VERSION), values.get(TIMESTAMP));
    }

    /** The format a {@code data.format} value names: one of dptrain's own, or another Spark source. */
    static DataFormat format(String name) {
        DataFormat known = Spelling.DATA_FORMAT.parse(name);
        return known == null ? DataFormat.SOURCE : known;
    }

    /** A key that only some formats take ({@link SpecRules#formatsFor}); absent, it keeps its default. */
    private static <T> SpecKey.Builder<DataSpec, T> forFormats(SpecKey.Builder<DataSpec, T> key) {
        String name = key.name();
        return key.onlyWhen(values -> SpecRules.formatsFor(name).contains(format(values.get(FORMAT))),
                values -> SpecRules.notForFormatProblem(name, values.get(FORMAT))).refusedFirst();
    }

    /**
     * {@code data.format}: one of dptrain's formats in any case (written canonically), or the name of
     * another Spark data source, kept as written (class names are case sensitive).
     */
    private static final class FormatName implements ValueType<String> {
        private static final java.util.regex.Pattern SOURCE = java.util.regex.Pattern.compile(
                "[A-Za-z][A-Za-z0-9_.-]*");
        static final String ALLOWED = "idx, csv, parquet, libsvm, table, delta, or a Spark data source name"
                + " such as orc";

        @Override
        public String name() {
            return "choice";
        }

        @Override
        public String read(JsonNode node, String path, SpecValues owner) {
            String text = node.isValueNode() ? node.asText().trim() : null;
            DataFormat known = text == null ? null : Spelling.DATA_FORMAT.parse(text);
            if (known != null && known != DataFormat.SOURCE) {
                return Spelling.DATA_FORMAT.name(known);
            }
            if (text == null || known == DataFormat.SOURCE || !SOURCE.matcher(text).matches()) {
                String shown = node.isValueNode() ? "'" + node.asText() + "'" : SpecValues.show(node);
                throw new SpecException(path + ": unknown value " + shown + "; allowed: " + ALLOWED);
            }
            return text;
        }

        @Override
        public JsonNode write(String value) {
            return ValueTypes.STRING.write(value);
        }

        @Override
        public String whenAbsent(String path, SpecValues owner) {
            throw new SpecException(path + ": required; allowed: " + ALLOWED);
        }

        @Override
        public List<String> spellings() {
            return List.of("idx", "csv", "parquet", "libsvm", "table", "delta");
        }
    }

    /** {@code data.options}: Spark reader options; numbers and booleans are kept as the text Spark parses. */
    private static final class Options implements ValueType<Map<String, String>> {
        @Override
        public String name() {
            return "mapping";
        }

        @Override
        public Map<String, String> read(JsonNode node, String path, SpecValues owner) {
            if (!node.isObject()) {
                throw new SpecException(path + ": expected a mapping such as {mergeSchema: true}, got "
                        + SpecValues.show(node));
            }
            Map<String, String> options = new LinkedHashMap<>();
            node.fields().forEachRemaining(entry -> {
                JsonNode value = entry.getValue();
                if (!value.isValueNode() || value.isNull()) {
                    throw new SpecException(path + "." + entry.getKey() + ": expected a string, number or boolean,"
                            + " got " + SpecValues.show(value));
                }
                options.put(entry.getKey(), value.asText());
            });
            return options;
        }

        @Override
        public JsonNode write(Map<String, String> value) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            value.forEach(object::put);
            return object;
        }

        @Override
        public Map<String, String> whenAbsent(String path, SpecValues owner) {
            return none();
        }

        @Override
        public Map<String, String> none() {
            return Map.of();
        }
    }

    /**
     * A date as a spec file may give it: ISO {@code YYYY-MM-DD}, or {@code today} / {@code today-Nd},
     * resolved against today's date in UTC when the file is read (see {@link SpecRules#date(String,
     * String, LocalDate)}); canonical JSON holds the resolved date.
     */
    private static final class RelativeDate implements ValueType<String> {
        @Override
        public String name() {
            return ValueTypes.STRING.name();
        }

        @Override
        public String read(JsonNode node, String path, SpecValues owner) {
            String value = ValueTypes.STRING.read(node, path, owner);
            return owner.source() == SpecValues.Source.SPEC_FILE
                    ? SpecRules.date(path, value, LocalDate.now(ZoneOffset.UTC)) : value;
        }

        @Override
        public JsonNode write(String value) {
            return ValueTypes.STRING.write(value);
        }
    }
}
