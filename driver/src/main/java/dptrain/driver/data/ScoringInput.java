package dptrain.driver.data;

import dptrain.driver.config.DataFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * Raw input for batch scoring, in the format a model was trained on: the input's own columns plus
 * {@link #FEATURES}, the row's raw feature values (float32, as training read them, before
 * normalisation) as a Spark ML vector. A label column is kept as an ordinary column and need not
 * exist. Feature columns are found by the names training recorded: a CSV/Parquet column per
 * feature, or {@code name[k]} for the elements of a vector or array column. IDX input gives the
 * columns {@code item} (1-based) and {@code label} and needs its labels file beside the images.
 * Every unusable cell fails with one line naming the file, the row and the column.
 */
public final class ScoringInput {

    /** The appended feature vector column. */
    public static final String FEATURES = "dptrain_features";

    private static final String KEY = "--input";
    private static final Pattern ELEMENT = Pattern.compile("(.+)\\[(\\d+)]");

    private enum Kind { NUMBER, TEXT, VECTOR, ARRAY }

    private ScoringInput() {
    }

    /**
     * @param featureColumns the feature names training recorded (CSV/Parquet), or empty for a
     *                       source that is one whole vector (LibSVM, IDX)
     * @param vectorColumn   for an empty {@code featureColumns} with Parquet input: the vector
     *                       column holding all features (a Spark ML model's features column)
     * @param featureCount   the width the model takes
     */
    public static Dataset<Row> read(SparkSession spark, DataFormat format, String path, boolean header,
                                    List<String> featureColumns, String vectorColumn, int featureCount) {
        if (format != DataFormat.TABLE) {
            DataFiles.requireData(spark, path, KEY);
        }
        try {
            return switch (format) {
                case IDX -> idx(spark, path, featureCount);
                case CSV -> withFeatures(spark, spark.read().option("header", header).option("inferSchema", true)
                        .csv(path), path, featureColumns, featureCount);
                case PARQUET -> withFeatures(spark, spark.read().parquet(path), path,
                        featureColumns.isEmpty() ? List.of(vectorColumn + "[0]") : featureColumns, featureCount);
                case LIBSVM -> withFeatures(spark, spark.read().format("libsvm")
                        .option("numFeatures", featureCount).load(path), path, List.of("features[0]"), featureCount);
                case TABLE -> withFeatures(spark, spark.table(path), path, featureColumns, featureCount);
                case DELTA -> withFeatures(spark, spark.read().format("delta").load(path), path, featureColumns,
                        featureCount);
                case SOURCE -> throw new DataException(KEY + ": the model was trained on another Spark source;"
                        + " score a Parquet copy, a table or a Delta table of the input: " + path);
            };
        } catch (Exception e) {
            throw DatasetPreparer.unwrap(e);
        }
    }

    /**
     * The {@link DataException} behind a failed Spark job over the input (rows are checked lazily, in
     * the tasks that read them), else {@code e} itself.
     */
    public static RuntimeException failure(Exception e) {
        return DatasetPreparer.unwrap(e);
    }

    private static Dataset<Row> idx(SparkSession spark, String path, int featureCount) {
        SourceData source = IdxSource.read(spark, path, KEY, new LabelEncoding.Values(1), null);
        if (source.featureCount() != featureCount) {
            throw new DataException(KEY + ": " + path + " has images of " + source.featureCount()
                    + " values; the model takes " + featureCount);
        }
        JavaRDD<Row> rows = source.rows().map(row -> {
            double[] values = new double[row.features().length];
            for (int j = 0; j < values.length; j++) {
                values[j] = row.features()[j];
            }
            return RowFactory.create(row.index() + 1, (int) row.labelValue(), Vectors.dense(values));
        });
        StructType schema = new StructType()
                .add("item", DataTypes.LongType, false)
                .add("label", DataTypes.IntegerType, false)
                .add(FEATURES, SQLDataTypes.VectorType(), false);
        return spark.createDataFrame(rows, schema);
    }

    /** The frame plus {@link #FEATURES}, taken from the source columns {@code featureColumns} name. */
    private static Dataset<Row> withFeatures(SparkSession spark, Dataset<Row> frame, String path,
                                             List<String> featureColumns, int featureCount) {
        StructType schema = frame.schema();
        List<String> columns = Arrays.asList(schema.fieldNames());
        if (columns.contains(FEATURES)) {
            throw new DataException(KEY + ": " + path + " has a column '" + FEATURES + "', which scoring reserves");
        }
        List<Integer> indices = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int j = 0; j < featureColumns.size(); j++) {
            String name = featureColumns.get(j);
            Matcher element = ELEMENT.matcher(name);
            if (!columns.contains(name) && element.matches()) {
                name = element.group(1);
                // The other elements of the same vector follow; one source column covers them all.
                while (j + 1 < featureColumns.size() && featureColumns.get(j + 1).startsWith(name + "[")) {
                    j++;
                }
            }
            int index = columns.indexOf(name);
            if (index < 0) {
                throw new DataException(KEY + ": feature column '" + name + "' not found in " + path + "; columns: "
                        + Cells.list(columns));
            }
            Kind kind = kindOf(schema.fields()[index].dataType());
            if (kind == null) {
                throw new DataException(KEY + ": feature column '" + name + "' in " + path + " has type "
                        + schema.fields()[index].dataType().simpleString()
                        + "; only numeric, vector or numeric array columns are features");
            }
            indices.add(index);
            kinds.add(kind);
            names.add(name);
        }
        int[] at = indices.stream().mapToInt(Integer::intValue).toArray();
        Kind[] kindOf = kinds.toArray(new Kind[0]);
        String[] nameOf = names.toArray(new String[0]);
        RowOrigin origin = RowOrigin.rows(path);
        JavaRDD<Row> rows = frame.javaRDD().zipWithIndex().map(pair -> {
            Row row = pair._1();
            Object[] values = new Object[row.size() + 1];
            for (int i = 0; i < row.size(); i++) {
                values[i] = row.get(i);
            }
            values[row.size()] = features(row, pair._2(), at, kindOf, nameOf, featureCount, origin);
            return RowFactory.create(values);
        });
        return spark.createDataFrame(rows, schema.add(FEATURES, SQLDataTypes.VectorType(), false));
    }

    private static Vector features(Row row, long index, int[] at, Kind[] kinds, String[] names, int featureCount,
                                   RowOrigin origin) {
        double[] values = new double[featureCount];
        int filled = 0;
        for (int c = 0; c < at.length; c++) {
            if (row.isNullAt(at[c])) {
                throw new DataException(origin.cell(index, names[c]) + ": missing value");
            }
            Object cell = row.get(at[c]);
            double[] parts = switch (kinds[c]) {
                case NUMBER -> new double[] {((Number) cell).doubleValue()};
                case TEXT -> new double[] {Cells.parseNumber((String) cell, origin, index, names[c])};
                case VECTOR -> ((Vector) cell).toArray();
                case ARRAY -> {
                    List<Object> list = row.getList(at[c]);
                    double[] elements = new double[list.size()];
                    for (int k = 0; k < elements.length; k++) {
                        if (list.get(k) == null) {
                            throw new DataException(origin.cell(index, names[c]) + ": missing value at [" + k + "]");
                        }
                        elements[k] = ((Number) list.get(k)).doubleValue();
                    }
                    yield elements;
                }
            };
            if (filled + parts.length > featureCount) {
                throw new DataException(origin.cell(index, names[c]) + ": more than the " + featureCount
                        + " features the model takes");
            }
            for (double part : parts) {
                // Training read every feature as float32; so does scoring.
                values[filled++] = Cells.checkFinite(part, origin, index, names[c]);
            }
        }
        if (filled != featureCount) {
            throw new DataException(origin.at(index) + ": " + filled + " feature values, the model takes "
                    + featureCount);
        }
        return Vectors.dense(values);
    }

    private static Kind kindOf(DataType type) {
        if (type instanceof NumericType) {
            return Kind.NUMBER;
        }
        if (type instanceof StringType) {
            return Kind.TEXT;
        }
        if (type.equals(SQLDataTypes.VectorType())) {
            return Kind.VECTOR;
        }
        if (type instanceof ArrayType array && array.elementType() instanceof NumericType) {
            return Kind.ARRAY;
        }
        return null;
    }
}
