package dptrain.driver.data;

import static dptrain.driver.data.TestData.write;
import static dptrain.driver.data.TestData.writeIdx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring input in every training format: the input's own columns plus the raw float32 features. */
class ScoringInputTest {

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    @Test
    void csvKeepsItsColumnsAndReadsTheModelsFeaturesInTheModelsOrder() throws Exception {
        String csv = write(dir, "new.csv", "id,b,a,note\n7,0.1,2,x\n8,1e-3,-4.5,y\n");

        Dataset<Row> frame = ScoringInput.read(spark, DataFormat.CSV, csv, true, List.of("a", "b"), null, 2);

        assertEquals(List.of("id", "b", "a", "note", ScoringInput.FEATURES), Arrays.asList(frame.columns()));
        assertEquals(List.of(7, 8), frame.select("id").as(org.apache.spark.sql.Encoders.INT()).collectAsList());
        assertArrayEquals(new double[] {2, 0.1f, -4.5, 1e-3f}, features(frame), "float32, as training reads them");
    }

    @Test
    void parquetExpandsVectorAndArrayColumnsNamedByElement() {
        String path = dir.resolve("new.parquet").toString();
        StructType schema = new StructType().add("v", SQLDataTypes.VectorType()).add("x", DataTypes.DoubleType)
                .add("arr", DataTypes.createArrayType(DataTypes.IntegerType));
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2), 3.0, List.of(4, 5))), schema)
                .write().parquet(path);
        List<String> trained = List.of("x", "v[0]", "v[1]", "arr[0]", "arr[1]");

        Dataset<Row> frame = ScoringInput.read(spark, DataFormat.PARQUET, path, true, trained, null, 5);

        assertArrayEquals(new double[] {3, 1, 2, 4, 5}, features(frame));
        Dataset<Row> tooFew = ScoringInput.read(spark, DataFormat.PARQUET, path, true, List.of("x", "v[0]", "v[1]"),
                null, 5);
        DataException error = assertThrows(DataException.class, () -> {
            try {
                features(tooFew);
            } catch (Exception e) { // rows are checked in the tasks; Spark wraps what they throw
                throw ScoringInput.failure(e);
            }
        });
        assertEquals(path + " row 1: 3 feature values, the model takes 5", error.getMessage());
    }

    @Test
    void libsvmAndIdxGiveTheirLabelsAndTheWholeVector() throws Exception {
        String libsvm = write(dir, "new.libsvm", "1 1:0.5 3:2\n0 2:1.5\n");
        Dataset<Row> sparse = ScoringInput.read(spark, DataFormat.LIBSVM, libsvm, true, List.of(), null, 4);
        assertEquals(List.of("label", "features", ScoringInput.FEATURES), Arrays.asList(sparse.columns()));
        assertArrayEquals(new double[] {0.5, 0, 2, 0, 0, 1.5, 0, 0}, features(sparse));

        String images = writeIdx(dir, "new-images-idx3-ubyte", new int[] {2, 2, 2}, new byte[] {1, 2, 3, 4, 5, 6, 7,
                (byte) 255});
        writeIdx(dir, "new-labels-idx1-ubyte", new int[] {2}, new byte[] {9, 3});
        Dataset<Row> idx = ScoringInput.read(spark, DataFormat.IDX, images, true, List.of(), null, 4);
        assertEquals(List.of("item", "label", ScoringInput.FEATURES), Arrays.asList(idx.columns()));
        assertEquals(List.of(RowFactory.create(1L, 9), RowFactory.create(2L, 3)),
                idx.select("item", "label").collectAsList());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 255}, features(idx));
        assertEquals("--input: " + images + " has images of 4 values; the model takes 784",
                assertThrows(DataException.class, () -> ScoringInput.read(spark, DataFormat.IDX, images, true,
                        List.of(), null, 784)).getMessage());
    }

    private static double[] features(Dataset<Row> frame) {
        return frame.select(ScoringInput.FEATURES).collectAsList().stream()
                .flatMapToDouble(row -> Arrays.stream(((Vector) row.get(0)).toArray())).toArray();
    }
}
