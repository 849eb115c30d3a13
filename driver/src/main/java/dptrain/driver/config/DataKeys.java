package dptrain.driver.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/** The keys of the {@code data} section, declared once ({@link SpecKey}); they become a {@link DataSpec}. */
final class DataKeys {

    static final SpecSection<DataSpec> SECTION = new SpecSection<>("data", DataKeys::build);

    static final SpecKey<DataSpec, DataFormat> FORMAT = SpecKey.in(SECTION, "format",
                    ValueTypes.choice(Spelling.DATA_FORMAT), DataSpec::format)
            .required("required")
            .doc("`idx`, `csv`, `parquet`, `libsvm`",
                    "file format of `train` and `test`")
            .declare();
    static final SpecKey<DataSpec, String> TRAIN = SpecKey.in(SECTION, "train", ValueTypes.STRING, DataSpec::train)
            .required("required")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "training data; for `idx` the images file, the labels file is found beside it")
            .declare();
    static final SpecKey<DataSpec, String> TEST = SpecKey.in(SECTION, "test", ValueTypes.STRING, DataSpec::test)
            .optional("none")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "optional test set in the same format, evaluated once at the end")
            .declare();
    static final SpecKey<DataSpec, String> LABEL = forFormats(SpecKey.in(SECTION, "label", ValueTypes.STRING,
                    DataSpec::label))
            .optional("none")
            .validate(SpecRules::text)
            .doc("a column name",
                    "label column; required for `csv` and `parquet`, not allowed for `idx` and `libsvm`")
            .declare();
    static final SpecKey<DataSpec, List<String>> FEATURES = forFormats(SpecKey.in(SECTION, "features",
                    ValueTypes.STRINGS, DataSpec::features))
            .optional("all columns but the label")
            .doc("column names, no duplicates, not the label",
                    "feature columns; `csv` and `parquet` only")
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
                    + " read, and runs record the date; `csv` and `parquet` only; an error when `data.train` has"
                    + " no such partitions or none from that date on")
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
                    + " them unless `data.since`), and the partition column is never a feature; `csv` and"
                    + " `parquet`")
            .declare();

    private DataKeys() {
    }

    private static DataSpec build(SpecValues values) {
        DataFormat format = values.get(FORMAT);
        values.refuseInapplicable();
        return new DataSpec(format, values.get(TRAIN), values.get(TEST), values.get(LABEL),
                values.get(FEATURES), values.get(HEADER), values.get(VALIDATION_FRACTION), values.get(NORMALIZE),
                values.get(SCALE), values.get(NUM_FEATURES), values.get(SHAPE), values.get(SINCE),
                values.get(PARTITION_COLUMN));
    }

    /** A key that only some formats take ({@link SpecRules#formatsFor}); absent, it keeps its default. */
    private static <T> SpecKey.Builder<DataSpec, T> forFormats(SpecKey.Builder<DataSpec, T> key) {
        String name = key.name();
        return key.onlyWhen(values -> SpecRules.formatsFor(name).contains(values.get(FORMAT)),
                values -> SpecRules.notForFormatProblem(name, values.get(FORMAT))).refusedFirst();
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
