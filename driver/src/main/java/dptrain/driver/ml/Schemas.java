package dptrain.driver.ml;

import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema checks of {@code transformSchema}: one IllegalArgumentException naming the param and the column. */
final class Schemas {

    private Schemas() {
    }

    static void requireVector(StructType schema, String param, String column) {
        DataType type = field(schema, param, column).dataType();
        if (!type.equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException(param + ": column '" + column + "' has type " + type.simpleString()
                    + "; expected a Spark ML vector (e.g. from VectorAssembler)");
        }
    }

    static void requireNumeric(StructType schema, String param, String column) {
        DataType type = field(schema, param, column).dataType();
        if (!(type instanceof NumericType)) {
            throw new IllegalArgumentException(param + ": column '" + column + "' has type " + type.simpleString()
                    + "; expected a numeric column (e.g. from StringIndexer)");
        }
    }

    /** {@code schema} plus a new column; an empty name appends nothing. */
    static StructType append(StructType schema, String param, String column, DataType type, Metadata metadata) {
        if (column.isEmpty()) {
            return schema;
        }
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + ": output column '" + column + "' already exists");
        }
        return schema.add(new StructField(column, type, false, metadata));
    }

    static StructField field(StructType schema, String param, String column) {
        for (StructField field : schema.fields()) {
            if (field.name().equals(column)) {
                return field;
            }
        }
        throw new IllegalArgumentException(param + ": column '" + column + "' not found; columns: "
                + String.join(", ", schema.fieldNames()));
    }
}
