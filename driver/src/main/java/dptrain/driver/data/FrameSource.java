package dptrain.driver.data;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * An in-memory DataFrame (the Spark ML way in): one Spark ML vector column of features and one
 * numeric label column. Rows are numbered 1-based in the DataFrame's own order; messages call the
 * source "the DataFrame" and name the column.
 */
final class FrameSource {

    static final String ORIGIN = "the DataFrame";

    private FrameSource() {
    }

    static SourceData read(Dataset<?> frame, String featuresCol, String labelCol) {
        StructField features = field(frame, featuresCol);
        StructField label = field(frame, labelCol);
        if (!features.dataType().equals(SQLDataTypes.VectorType())) {
            throw new DataException("featuresCol: column '" + featuresCol + "' of " + ORIGIN + " has type "
                    + features.dataType().simpleString() + "; expected a Spark ML vector (e.g. from VectorAssembler)");
        }
        if (!(label.dataType() instanceof NumericType)) {
            throw new DataException("labelCol: column '" + labelCol + "' of " + ORIGIN + " has type "
                    + label.dataType().simpleString() + "; expected a numeric column (e.g. from StringIndexer)");
        }
        Dataset<Row> picked = frame.select(functions.col(featuresCol), functions.col(labelCol));
        List<Row> head = picked.takeAsList(1);
        if (head.isEmpty()) {
            throw new DataException("data.train: no rows in " + ORIGIN);
        }
        RowOrigin origin = RowOrigin.rows(ORIGIN);
        if (head.get(0).isNullAt(0)) {
            throw new DataException(origin.cell(0, featuresCol) + ": missing value");
        }
        int width = ((Vector) head.get(0).get(0)).size();
        if (width == 0) {
            throw new DataException(origin.cell(0, featuresCol) + ": empty vector");
        }
        JavaRDD<SourceRow> rows = picked.javaRDD().zipWithIndex()
                .map(pair -> toRow(pair._1(), pair._2(), width, featuresCol, labelCol, origin));
        return new SourceData(rows, origin, width, List.of(), List.of(featuresCol), true);
    }

    private static SourceRow toRow(Row row, long index, int width, String featuresCol, String labelCol,
                                   RowOrigin origin) {
        if (row.isNullAt(0)) {
            throw new DataException(origin.cell(index, featuresCol) + ": missing value");
        }
        Vector vector = (Vector) row.get(0);
        if (vector.size() != width) {
            throw new DataException(origin.cell(index, featuresCol) + ": length " + vector.size() + ", expected "
                    + width);
        }
        float[] values = new float[width];
        for (int k = 0; k < width; k++) {
            values[k] = Cells.checkFinite(vector.apply(k), origin, index, featuresCol);
        }
        if (row.isNullAt(1)) {
            throw new DataException(origin.cell(index, labelCol) + ": missing label");
        }
        double value = ((Number) row.get(1)).doubleValue();
        if (!Double.isFinite(value)) {
            throw new DataException(origin.cell(index, labelCol) + ": NaN/Infinity not allowed: " + value);
        }
        return new SourceRow(index, values, null, value);
    }

    private static StructField field(Dataset<?> frame, String name) {
        for (StructField field : frame.schema().fields()) {
            if (field.name().equals(name)) {
                return field;
            }
        }
        throw new DataException("column '" + name + "' not found in " + ORIGIN + "; columns: "
                + Cells.list(List.of(frame.columns())));
    }
}
