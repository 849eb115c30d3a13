package dptrain.driver.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the data is and how to read it.
 *
 * @param format             file format of train (and test)
 * @param train              any Hadoop URI; for IDX the images file, labels are found beside it
 * @param test               optional test set in the same format, or {@code null}
 * @param label              label column (CSV/Parquet), or {@code null} for IDX/LibSVM
 * @param features           feature columns (CSV/Parquet), or an empty list for "all but the label"
 * @param header             whether a CSV file starts with a header line
 * @param validationFraction fraction of train held out for validation, in [0, 1)
 * @param normalize          feature normalisation, statistics taken from the training split
 * @param scale              the divisor for {@link Normalization#SCALE}
 * @param numFeatures        LibSVM feature count, or 0 to infer it from the data
 * @param shape              {@code [channels, height, width]} of image rows (stored flat, channel-major),
 *                           or empty for plain feature vectors
 * @param since              read only the Hive-style partitions {@code <partitionColumn>=YYYY-MM-DD} of
 *                           {@code train} from this date on (ISO {@code YYYY-MM-DD}), or {@code null} for all
 * @param partitionColumn    the name of the date partition directories of {@code train} (and {@code test});
 *                           for tables and Spark sources, the date column {@code since} filters on
 * @param source             the Spark data source name for {@link DataFormat#SOURCE} ({@code orc}), else
 *                           {@code null}
 * @param options            Spark reader options for {@link DataFormat#DELTA} and {@link DataFormat#SOURCE}
 * @param version            the Delta table version to read, or {@code null}
 * @param timestamp          read the Delta table as of this time, or {@code null}; not with {@code version}
 */
public record DataSpec(DataFormat format, String train, String test, String label, List<String> features,
                       boolean header, double validationFraction, Normalization normalize, double scale,
                       int numFeatures, List<Integer> shape, String since, String partitionColumn, String source,
                       Map<String, String> options, Long version, String timestamp) {

    /** A file format, a catalog table or a Delta table read at its latest version. */
    public DataSpec(DataFormat format, String train, String test, String label, List<String> features,
                    boolean header, double validationFraction, Normalization normalize, double scale,
                    int numFeatures, List<Integer> shape, String since, String partitionColumn) {
        this(format, train, test, label, features, header, validationFraction, normalize, scale, numFeatures,
                shape, since, partitionColumn, null, Map.of(), null, null);
    }

    /** All of {@code train}, partitioned or not. */
    public DataSpec(DataFormat format, String train, String test, String label, List<String> features,
                    boolean header, double validationFraction, Normalization normalize, double scale,
                    int numFeatures, List<Integer> shape) {
        this(format, train, test, label, features, header, validationFraction, normalize, scale, numFeatures,
                shape, null, DataKeys.PARTITION_COLUMN.defaultValue());
    }

    /** Plain feature vectors (no {@code data.shape}). */
    public DataSpec(DataFormat format, String train, String test, String label, List<String> features,
                    boolean header, double validationFraction, Normalization normalize, double scale,
                    int numFeatures) {
        this(format, train, test, label, features, header, validationFraction, normalize, scale, numFeatures,
                List.of());
    }

    public DataSpec {
        features = List.copyOf(features);
        shape = List.copyOf(shape);
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        if (!shape.isEmpty() && (shape.size() != 3 || shape.stream().anyMatch(side -> side < 1))) {
            throw new SpecException("data.shape: expected [channels, height, width], three positive integers, got "
                    + shape);
        }
        if (format == null) {
            throw new SpecException("data.format: required; allowed: " + Spelling.DATA_FORMAT.allowed());
        }
        DataKeys.TRAIN.check(train);
        if (test != null) {
            DataKeys.TEST.check(test);
        }
        boolean columns = SpecRules.formatsFor("label").contains(format);
        if (columns && label == null) {
            throw new SpecException("data.label: required for format " + Spelling.DATA_FORMAT.name(format));
        }
        if (!columns && label != null) {
            throw SpecRules.notForFormat("data.label", format);
        }
        if (!columns && !features.isEmpty()) {
            throw SpecRules.notForFormat("data.features", format);
        }
        if (label != null) {
            DataKeys.LABEL.check(label);
        }
        Set<String> seen = new HashSet<>();
        for (String feature : features) {
            if (!seen.add(feature)) {
                throw new SpecException("data.features: column '" + feature + "' is listed twice");
            }
            if (feature.equals(label)) {
                throw new SpecException("data.features: must not contain the label column '" + label + "'");
            }
        }
        DataKeys.VALIDATION_FRACTION.check(validationFraction);
        Objects.requireNonNull(normalize, "normalize");
        DataKeys.SCALE.check(scale);
        DataKeys.NUM_FEATURES.check(numFeatures);
        if (format != DataFormat.LIBSVM && numFeatures != 0) {
            throw SpecRules.notForFormat("data.num_features", format);
        }
        DataKeys.PARTITION_COLUMN.check(partitionColumn);
        if (since != null) {
            if (!SpecRules.formatsFor("since").contains(format)) {
                throw SpecRules.notForFormat("data.since", format);
            }
            since = SpecRules.date("data.since", since);
        }
        if ((format == DataFormat.SOURCE) != (source != null)) {
            throw new SpecException("data.format: a Spark source needs its name (" + format + ", " + source + ")");
        }
        String name = source != null ? source : Spelling.DATA_FORMAT.name(format);
        if (!options.isEmpty() && !SpecRules.formatsFor("options").contains(format)) {
            throw SpecRules.notForFormat("data.options", name);
        }
        if (version != null) {
            if (format != DataFormat.DELTA) {
                throw SpecRules.notForFormat("data.version", name);
            }
            DataKeys.VERSION.check(version);
        }
        if (timestamp != null) {
            if (format != DataFormat.DELTA) {
                throw SpecRules.notForFormat("data.timestamp", name);
            }
            if (version != null) {
                throw new SpecException("data.timestamp: cannot be combined with data.version (" + version
                        + "); pin one of them, got '" + timestamp + "'");
            }
            DataKeys.TIMESTAMP.check(timestamp);
        }
    }

    /** {@code data.format} as the spec writes it: the canonical name, or the Spark source's own name. */
    public String formatName() {
        return source != null ? source : Spelling.DATA_FORMAT.name(format);
    }

    /**
     * Checks the shape against the feature count of the data: one clear line if they disagree.
     *
     * @throws SpecException if {@code shape} is given and its product is not {@code featureCount}
     */
    public void checkShape(int featureCount) {
        if (shape.isEmpty()) {
            return;
        }
        long values = (long) shape.get(0) * shape.get(1) * shape.get(2);
        if (values != featureCount) {
            throw new SpecException("data.shape: " + shape + " holds " + values + " values per row, but the data has "
                    + featureCount + " features");
        }
    }
}
