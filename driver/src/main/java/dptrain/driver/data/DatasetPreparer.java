package dptrain.driver.data;

import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.Normalization;
import dptrain.driver.config.SpecDefaults;
import dptrain.worker.data.ShardBlock;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 2 of a job: reads the training (and test) data, checks every row, splits off validation
 * rows by a seeded hash of each row's index, normalises with training-split statistics and converts
 * the training split into exactly {@code workers} balanced, ordered, cached float32 shards.
 *
 * <p>Passes over the data: one to parse and summarise (counts, moments, labels; parsed rows stay
 * cached for the next), one shuffle that builds the shards, one that builds the validation blocks,
 * and one over the test file. Everything is materialised here, so bad data fails before training.
 */
public final class DatasetPreparer {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);

    private DatasetPreparer() {
    }

    /**
     * @param labels  what the output layer expects of the labels
     * @param workers the number of training shards (ranks), at least 1
     * @param seed    the job seed; with the same input it fixes the split and the shards
     * @throws DataException (one line naming file, column and value) for any unusable input
     */
    public static PreparedData prepare(SparkSession spark, DataSpec spec, LabelEncoding labels, int workers,
                                       long seed) {
        return prepare(spark, spec, labels, workers, seed, null);
    }

    /**
     * The same, normalising with {@code fixedScaling} instead of statistics of this training split:
     * a warm-started model keeps the normalisation its weights were learnt with.
     *
     * @param fixedScaling the normalisation to apply, or {@code null} to compute it from the training split
     */
    public static PreparedData prepare(SparkSession spark, DataSpec spec, LabelEncoding labels, int workers,
                                       long seed, FeatureScaling fixedScaling) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(labels, "labels");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (!(spec.validationFraction() >= 0 && spec.validationFraction() < 1)) {
            throw new DataException("data.validationFraction: must be in [0, 1), got " + spec.validationFraction());
        }
        try {
            DataRange[] range = new DataRange[1];
            Long[] version = new Long[1];
            PreparedData data = prepareChecked(spark, spec, labels, workers, seed, fixedScaling, () -> {
                if (isTable(spec)) {
                    TableSource table = TableSource.read(spark, spec, spec.train(), "data.train", labels, null);
                    range[0] = table.range();
                    version[0] = table.version();
                    return table.data();
                }
                SourceData train = read(spark, spec, spec.train(), "data.train", labels, null);
                if (spec.format() == DataFormat.CSV || spec.format() == DataFormat.PARQUET) {
                    range[0] = DatePartitions.find(spark.sparkContext().hadoopConfiguration(), spec.train(),
                            spec.partitionColumn(), spec.since(), "data.train").map(DatePartitions::range).orElse(null);
                }
                return train;
            });
            return data.withTrainSource(range[0], version[0]);
        } catch (Exception e) {
            throw unwrap(e);
        }
    }

    /**
     * The same preparation for an in-memory DataFrame (the Spark ML estimators): features from one
     * Spark ML vector column, labels from one numeric column, no normalisation (a Spark ML pipeline
     * scales with its own stages), no test set. Rows are indexed in the DataFrame's order.
     *
     * @param labels             class indices {@code 0..K-1} or regression values
     * @param validationFraction fraction held out by the seeded split, in [0, 1)
     * @throws DataException naming the column, the 1-based row and the value for any unusable row
     */
    public static PreparedData prepare(SparkSession spark, Dataset<?> frame, String featuresCol, String labelCol,
                                       LabelEncoding labels, double validationFraction, int workers, long seed) {
        Objects.requireNonNull(frame, "frame");
        DataSpec spec = new DataSpec(DataFormat.PARQUET, FrameSource.ORIGIN, null, labelCol, List.of(featuresCol),
                false, validationFraction, Normalization.NONE, SpecDefaults.SCALE, SpecDefaults.NUM_FEATURES);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        try {
            return prepareChecked(spark, spec, labels, workers, seed, null, () -> FrameSource.read(frame, featuresCol,
                    labelCol));
        } catch (Exception e) {
            throw unwrap(e);
        }
    }

    private static PreparedData prepareChecked(SparkSession spark, DataSpec spec, LabelEncoding labels, int workers,
                                               long seed, FeatureScaling fixedScaling, Supplier<SourceData> source) {
        SourceData train = source.get();
        int featureCount = train.featureCount();
        JavaRDD<SourceRow> rows = train.rows().persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<ShardBlock> trainBlocks = null;
        JavaRDD<ShardBlock> validationBlocks = null;
        JavaRDD<ShardBlock> testBlocks = null;
        boolean done = false;
        try {
            ValidationSplit split = new ValidationSplit(seed, spec.validationFraction());
            boolean moments = spec.normalize() == Normalization.STANDARD || spec.normalize() == Normalization.MINMAX;
            int classes = labels instanceof LabelEncoding.ClassIndices c ? c.classes() : 0;
            List<PartitionSummary> parts = rows.mapPartitionsWithIndex((partition, it) -> List.of(
                    PartitionSummary.of(partition, it, split, featureCount, moments, classes)).iterator(), true)
                    .collect();
            PartitionSummary total = PartitionSummary.merge(parts, featureCount, moments, classes);
            RowOrigin origin = train.origin();
            if (total.trainRows + total.validationRows == 0) {
                throw new DataException("data.train: no data rows in " + origin.path());
            }
            LabelMapping mapping = LabelMapping.resolve(total, labels, origin);
            if (total.trainRows < workers) {
                throw new DataException("data.train: " + total.trainRows + " training rows in " + origin.path()
                        + " (after holding out " + total.validationRows + " for validation) for " + workers
                        + " workers; every worker needs at least one row");
            }
            if (fixedScaling != null && fixedScaling.offset().length != featureCount) {
                throw new DataException("data.train: " + featureCount + " features in " + origin.path()
                        + ", the model to continue from has " + fixedScaling.offset().length);
            }
            FeatureScaling scaling = fixedScaling != null ? fixedScaling : scaling(spec, total, featureCount);
            long[] offsets = new long[parts.size()];
            long before = 0;
            for (PartitionSummary part : parts) {
                offsets[part.partition] = before;
                before += part.trainRows;
            }
            trainBlocks = Blocks.shards(rows, split, offsets, workers, featureCount, mapping,
                    scaling, origin).setName("dptrain train shards").persist(StorageLevel.MEMORY_ONLY());
            if (total.validationRows > 0) {
                validationBlocks = Blocks.chunks(rows.filter(row -> split.isValidation(row.index())), featureCount,
                        mapping, scaling, origin).setName("dptrain validation blocks")
                        .persist(StorageLevel.MEMORY_ONLY());
                validationBlocks.count();
            } else {
                validationBlocks = JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD();
            }
            trainBlocks.count();
            long testRows = 0;
            if (spec.test() != null && !spec.test().isBlank()) {
                SourceData test = read(spark, spec, spec.test(), "data.test", labels, train);
                RowOrigin testOrigin = test.origin();
                testBlocks = Blocks.chunks(test.rows(), featureCount, mapping, scaling, testOrigin)
                        .setName("dptrain test blocks").persist(StorageLevel.MEMORY_ONLY());
                testRows = testBlocks.map(block -> (long) block.rows()).fold(0L, Long::sum);
                if (testRows == 0) {
                    throw new DataException("data.test: no data rows in " + testOrigin.path());
                }
            }
            LOG.info("data: {} rows from {} -> {} train in {} shards of {}..{}, {} validation, {} test; {} features, "
                            + "{}; normalize {}", total.trainRows + total.validationRows, spec.train(),
                    total.trainRows, workers, total.trainRows / workers, (total.trainRows + workers - 1) / workers,
                    total.validationRows, testRows, featureCount,
                    classes > 0 ? classes + " classes" : "regression", spec.normalize());
            done = true;
            return new PreparedData(trainBlocks, validationBlocks, testBlocks, total.trainRows, total.validationRows,
                    testRows, featureCount, mapping.labelNames(), scaling, train.featureColumns());
        } finally {
            rows.unpersist(false);
            if (!done) {
                for (JavaRDD<ShardBlock> blocks : java.util.Arrays.asList(trainBlocks, validationBlocks, testBlocks)) {
                    if (blocks != null) {
                        blocks.unpersist(false);
                    }
                }
            }
        }
    }

    private static SourceData read(SparkSession spark, DataSpec spec, String path, String key, LabelEncoding labels,
                                   SourceData train) {
        if (path == null || path.isBlank()) {
            throw new DataException(key + ": no path given");
        }
        if (isTable(spec)) {
            return TableSource.read(spark, spec, path, key, labels, train).data();
        }
        DataFiles.requireData(spark, path, key);
        if (spec.format() == DataFormat.CSV || spec.format() == DataFormat.PARQUET) {
            // a date-partitioned directory: read its partitions (from data.since on for the training data)
            path = DatePartitions.find(spark.sparkContext().hadoopConfiguration(), path, spec.partitionColumn(),
                    key.equals("data.train") ? spec.since() : null, key).map(DatePartitions::joined).orElse(path);
        }
        return switch (spec.format()) {
            case CSV -> CsvSource.read(spark, spec, path, key, labels, train);
            case PARQUET, LIBSVM -> ColumnarSource.read(spark, spec, path, key, labels, train);
            case IDX -> IdxSource.read(spark, path, key, labels, train);
            case TABLE, DELTA, SOURCE -> throw new IllegalStateException("read by TableSource: " + spec.format());
        };
    }

    /** A catalog table, a Delta table or another Spark source: read as a DataFrame, not as files. */
    private static boolean isTable(DataSpec spec) {
        return spec.format() == DataFormat.TABLE || spec.format() == DataFormat.DELTA
                || spec.format() == DataFormat.SOURCE;
    }

    /** The normalisation from training-split statistics; constant features get divisor 1. */
    static FeatureScaling scaling(DataSpec spec, PartitionSummary train, int featureCount) {
        float[] offset = new float[featureCount];
        float[] divisor = new float[featureCount];
        for (int j = 0; j < featureCount; j++) {
            switch (spec.normalize()) {
                case NONE -> divisor[j] = 1f;
                case SCALE -> {
                    if (!(spec.scale() > 0) || !Float.isFinite((float) spec.scale())) {
                        throw new DataException("data.scale: must be a positive number for normalize SCALE, got "
                                + spec.scale());
                    }
                    divisor[j] = (float) spec.scale();
                }
                case STANDARD -> {
                    // Population standard deviation: the training split then has exactly unit variance.
                    float std = (float) Math.sqrt(train.m2[j] / train.trainRows);
                    offset[j] = (float) train.mean[j];
                    divisor[j] = std > 0 ? std : 1f;
                }
                case MINMAX -> {
                    float range = (float) (train.max[j] - train.min[j]);
                    offset[j] = (float) train.min[j];
                    divisor[j] = range > 0 ? range : 1f;
                }
                default -> throw new IllegalStateException(spec.normalize().toString());
            }
        }
        return new FeatureScaling(offset, divisor);
    }

    /**
     * Errors thrown inside Spark tasks reach the driver wrapped in {@code SparkException}s; the caller gets
     * the {@link DataException} itself (the first in the cause chain), anything else unchanged.
     */
    static RuntimeException unwrap(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException data) {
                return data;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        return DatasetPreparer.<RuntimeException>rethrow(e);
    }

    /** Rethrows a checked exception (a SparkException) unchanged; Spark's Java API does not declare it. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable t) throws T {
        throw (T) t;
    }
}
