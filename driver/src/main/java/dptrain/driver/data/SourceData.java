package dptrain.driver.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * A source read into checked rows, plus what a test set in the same format must match.
 *
 * @param rows           parsed rows, partitions in file order, indices ascending within each
 * @param origin         names rows in messages
 * @param featureCount   width of every row's features
 * @param featureColumns feature names in order (CSV/Parquet), else empty
 * @param sourceColumns  the source columns the features come from, in order (CSV/Parquet), else empty
 * @param numericLabels  whether the label column is numeric in the source schema (false for CSV text)
 */
record SourceData(JavaRDD<SourceRow> rows, RowOrigin origin, int featureCount, List<String> featureColumns,
                  List<String> sourceColumns, boolean numericLabels) {
}
