package dptrain.driver.data;

import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parquet (numeric columns; a Spark ML vector or a numeric array column is expanded into its
 * elements) and LibSVM (Spark's {@code libsvm} source: a double {@code label} and a vector
 * {@code features}); also the columns of tables and other Spark sources ({@link TableSource}).
 * Rows are numbered 1-based in the order Spark reads them.
 */
final class ColumnarSource {

    private enum Kind { NUMBER, VECTOR, ARRAY }

    private ColumnarSource() {
    }

    static SourceData read(SparkSession spark, DataSpec spec, String path, String key, LabelEncoding labels,
                           SourceData train) {
        boolean libsvm = spec.format() == DataFormat.LIBSVM;
        Dataset<Row> frame;
        if (libsvm) {
            int numFeatures = train != null ? train.featureCount() : spec.numFeatures();
            var reader = spark.read().format("libsvm");
            if (numFeatures > 0) {
                reader = reader.option("numFeatures", numFeatures);
            }
            frame = reader.load(path);
        } else {
            frame = spark.read().parquet(DatePartitions.split(path));
        }
        return read(frame, libsvm, spec, path, key, labels, train);
    }

    /**
     * The rows of a DataFrame read like Parquet's (a catalog table, a Delta table, another Spark
     * source), or like LibSVM's; {@code path} names the source in messages.
     */
    static SourceData read(Dataset<Row> frame, boolean libsvm, DataSpec spec, String path, String key,
                           LabelEncoding labels, SourceData train) {
        StructType schema = frame.schema();
        List<String> columns = Arrays.asList(schema.fieldNames());
        String label = libsvm ? "label" : spec.label();
        if (label == null || label.isBlank()) {
            throw new DataException("data.label: a Parquet source needs the label column; columns: "
                    + Cells.list(columns));
        }
        StructField labelField = field(schema, label, "data.label", path);
        boolean regression = labels instanceof LabelEncoding.Values;
        boolean numericLabel = labelField.dataType() instanceof NumericType;
        if (!numericLabel && (regression || !labelField.dataType().equals(DataTypes.StringType))) {
            throw new DataException("data.label: column '" + label + "' in " + path + " has type "
                    + labelField.dataType().simpleString() + "; " + (regression
                    ? "regression needs a numeric column" : "classification needs a numeric or string column"));
        }
        List<String> sources;
        if (libsvm) {
            sources = List.of("features");
        } else if (train != null) {
            sources = train.sourceColumns();
        } else if (spec.features().isEmpty()) {
            sources = new ArrayList<>(columns);
            sources.remove(label);
        } else {
            sources = spec.features();
        }
        if (sources.isEmpty()) {
            throw new DataException("data.features: " + path + " has no feature columns besides the label '"
                    + label + "'");
        }
        Kind[] kinds = new Kind[sources.size()];
        Column[] selected = new Column[sources.size() + 1];
        for (int c = 0; c < kinds.length; c++) {
            String name = sources.get(c);
            if (name.equals(label)) {
                throw new DataException("data.features: column '" + name + "' is the label column in " + path);
            }
            DataType type = field(schema, name, "data.features", path).dataType();
            kinds[c] = kindOf(type);
            if (kinds[c] == null) {
                throw new DataException("data.features: column '" + name + "' in " + path + " has type "
                        + type.simpleString() + "; only numeric, vector or numeric array columns are features");
            }
            selected[c] = functions.col(name);
        }
        selected[kinds.length] = functions.col(label);
        Dataset<Row> picked = frame.select(selected);
        List<Row> head = picked.takeAsList(1);
        if (head.isEmpty()) {
            throw new DataException(key + ": no rows in " + path);
        }
        RowOrigin origin = RowOrigin.rows(path);
        String[] names = sources.toArray(new String[0]);
        int[] widths = new int[kinds.length];
        List<String> featureColumns = new ArrayList<>();
        for (int c = 0; c < kinds.length; c++) {
            widths[c] = kinds[c] == Kind.NUMBER ? 1 : width(head.get(0), c, kinds[c], origin, names[c]);
            if (train != null && !libsvm) {
                int expected = expectedWidth(train.featureColumns(), names[c]);
                if (expected != widths[c]) {
                    throw new DataException(origin.cell(0, names[c]) + ": length " + widths[c]
                            + ", the training data has " + expected);
                }
            }
            if (kinds[c] == Kind.NUMBER) {
                featureColumns.add(names[c]);
            } else {
                for (int k = 0; k < widths[c]; k++) {
                    featureColumns.add(names[c] + "[" + k + "]");
                }
            }
        }
        int featureCount = featureColumns.size();
        if (train != null && libsvm && featureCount != train.featureCount()) {
            throw new DataException(key + ": " + path + " has " + featureCount + " features, the training data has "
                    + train.featureCount());
        }
        JavaRDD<SourceRow> rows = picked.javaRDD().zipWithIndex().map(pair -> toRow(pair._1(), pair._2(), kinds,
                widths, names, label, featureCount, numericLabel, origin));
        return new SourceData(rows, origin, featureCount, libsvm ? List.of() : List.copyOf(featureColumns),
                List.copyOf(sources), numericLabel);
    }

    /** How many feature columns the training data derived from source column {@code name}. */
    private static int expectedWidth(List<String> featureColumns, String name) {
        int count = 0;
        for (String column : featureColumns) {
            if (column.equals(name) || column.startsWith(name + "[")) {
                count++;
            }
        }
        return count;
    }

    private static SourceRow toRow(Row row, long index, Kind[] kinds, int[] widths, String[] names, String label,
                                   int featureCount, boolean numericLabel, RowOrigin origin) {
        float[] features = new float[featureCount];
        int at = 0;
        for (int c = 0; c < kinds.length; c++) {
            if (row.isNullAt(c)) {
                throw new DataException(origin.cell(index, names[c]) + ": missing value");
            }
            switch (kinds[c]) {
                case NUMBER -> features[at++] = Cells.checkFinite(((Number) row.get(c)).doubleValue(), origin, index,
                        names[c]);
                case VECTOR -> {
                    Vector vector = (Vector) row.get(c);
                    checkLength(vector.size(), widths[c], origin, index, names[c]);
                    for (int k = 0; k < widths[c]; k++) {
                        features[at++] = Cells.checkFinite(vector.apply(k), origin, index, names[c]);
                    }
                }
                case ARRAY -> {
                    List<Object> values = row.getList(c);
                    checkLength(values.size(), widths[c], origin, index, names[c]);
                    for (int k = 0; k < widths[c]; k++) {
                        Object value = values.get(k);
                        if (value == null) {
                            throw new DataException(origin.cell(index, names[c]) + ": missing value at [" + k + "]");
                        }
                        features[at++] = Cells.checkFinite(((Number) value).doubleValue(), origin, index, names[c]);
                    }
                }
                default -> throw new IllegalStateException(kinds[c].toString());
            }
        }
        int l = kinds.length;
        if (row.isNullAt(l)) {
            throw new DataException(origin.cell(index, label) + ": missing label");
        }
        if (numericLabel) {
            double value = ((Number) row.get(l)).doubleValue();
            if (!Double.isFinite(value)) {
                throw new DataException(origin.cell(index, label) + ": NaN/Infinity not allowed: " + value);
            }
            return new SourceRow(index, features, null, value);
        }
        String text = row.getString(l).trim();
        if (text.isEmpty()) {
            throw new DataException(origin.cell(index, label) + ": missing label");
        }
        return new SourceRow(index, features, text, Double.NaN);
    }

    private static void checkLength(int length, int expected, RowOrigin origin, long index, String column) {
        if (length != expected) {
            throw new DataException(origin.cell(index, column) + ": length " + length + ", expected " + expected);
        }
    }

    private static int width(Row row, int c, Kind kind, RowOrigin origin, String name) {
        if (row.isNullAt(c)) {
            throw new DataException(origin.cell(0, name) + ": missing value");
        }
        int width = kind == Kind.VECTOR ? ((Vector) row.get(c)).size() : row.getList(c).size();
        if (width == 0) {
            throw new DataException(origin.cell(0, name) + ": empty " + (kind == Kind.VECTOR ? "vector" : "array"));
        }
        return width;
    }

    private static Kind kindOf(DataType type) {
        if (type instanceof NumericType || type instanceof DecimalType) {
            return Kind.NUMBER;
        }
        if (type.equals(SQLDataTypes.VectorType())) {
            return Kind.VECTOR;
        }
        if (type instanceof ArrayType array && array.elementType() instanceof NumericType) {
            return Kind.ARRAY;
        }
        return null;
    }

    private static StructField field(StructType schema, String name, String key, String path) {
        for (StructField field : schema.fields()) {
            if (field.name().equals(name)) {
                return field;
            }
        }
        throw new DataException(key + ": column '" + name + "' not found in " + path + "; columns: "
                + Cells.list(Arrays.asList(schema.fieldNames())));
    }
}
