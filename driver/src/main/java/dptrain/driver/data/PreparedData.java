package dptrain.driver.data;

import dptrain.worker.data.ShardBlock;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Data ready for training: validated, normalised, split and converted to float32 blocks.
 *
 * @param train          exactly {@code workers} partitions, partition {@code r} holds the one
 *                       block of rank {@code r}; shard sizes differ by at most one row; cached
 * @param validation     blocks of the validation split (any partitioning), cached; may be empty
 * @param test           blocks of the test set, cached, or {@code null} when the spec has none
 * @param trainRows      rows in {@code train}
 * @param validationRows rows in {@code validation}
 * @param testRows       rows in {@code test} (0 without a test set)
 * @param featureCount   input width
 * @param labelNames     class names by index for classification (string labels keep their
 *                       text, integer labels their decimal form); empty for regression
 * @param scaling        the normalisation that was applied
 * @param featureColumns names of the feature columns in order (CSV/Parquet), else empty
 * @param trainRange     the date partitions of the training data that were read, or {@code null}
 *                       when it is not partitioned
 * @param trainVersion   the Delta table version the training data was read at, or {@code null} for
 *                       other formats
 */
public record PreparedData(JavaRDD<ShardBlock> train, JavaRDD<ShardBlock> validation, JavaRDD<ShardBlock> test,
                           long trainRows, long validationRows, long testRows, int featureCount,
                           List<String> labelNames, FeatureScaling scaling, List<String> featureColumns,
                           DataRange trainRange, Long trainVersion) {

    /** Data that did not come from a Delta table. */
    public PreparedData(JavaRDD<ShardBlock> train, JavaRDD<ShardBlock> validation, JavaRDD<ShardBlock> test,
                        long trainRows, long validationRows, long testRows, int featureCount,
                        List<String> labelNames, FeatureScaling scaling, List<String> featureColumns,
                        DataRange trainRange) {
        this(train, validation, test, trainRows, validationRows, testRows, featureCount, labelNames, scaling,
                featureColumns, trainRange, null);
    }

    /** Data that did not come from date partitions. */
    public PreparedData(JavaRDD<ShardBlock> train, JavaRDD<ShardBlock> validation, JavaRDD<ShardBlock> test,
                        long trainRows, long validationRows, long testRows, int featureCount,
                        List<String> labelNames, FeatureScaling scaling, List<String> featureColumns) {
        this(train, validation, test, trainRows, validationRows, testRows, featureCount, labelNames, scaling,
                featureColumns, null);
    }

    PreparedData withTrainSource(DataRange range, Long version) {
        return new PreparedData(train, validation, test, trainRows, validationRows, testRows, featureCount,
                labelNames, scaling, featureColumns, range, version);
    }
}
