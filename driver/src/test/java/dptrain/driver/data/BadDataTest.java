package dptrain.driver.data;

import static dptrain.driver.data.TestData.spec;
import static dptrain.driver.data.TestData.write;
import static dptrain.driver.data.TestData.writeIdx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input fails in prepare with one exact line naming file, column and value. */
class BadDataTest {

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    private static String failure(DataSpec spec, LabelEncoding labels, int workers) {
        DataException e = assertThrows(DataException.class,
                () -> DatasetPreparer.prepare(spark, spec, labels, workers, 1L));
        return e.getMessage();
    }

    private static String csvFailure(String name, String content, String label, LabelEncoding labels)
            throws Exception {
        return failure(spec(DataFormat.CSV, write(dir, name, content), label), labels, 1);
    }

    private static final LabelEncoding TEN = new LabelEncoding.ClassIndices(10);
    private static final LabelEncoding THREE = new LabelEncoding.ClassIndices(3);

    @Test
    void missingAndEmptyFiles() throws Exception {
        String missing = dir.resolve("missing.csv").toString();
        assertEquals("data.train: path not found: " + missing, failure(spec(DataFormat.CSV, missing, "y"), TEN, 1));
        String empty = write(dir, "empty.csv", "");
        assertEquals("data.train: file is empty: " + empty, failure(spec(DataFormat.CSV, empty, "y"), TEN, 1));
        String good = write(dir, "good.csv", "a,y\n1,0\n2,1\n");
        DataSpec withTest = TestData.withTest(spec(DataFormat.CSV, good, "y"), missing);
        assertEquals("data.test: path not found: " + missing,
                failure(withTest, new LabelEncoding.ClassIndices(2), 1));
    }

    @Test
    void unknownColumns() throws Exception {
        String path = write(dir, "cols.csv", "a,b,c\n1,2,0\n3,4,1\n");
        assertEquals("data.label: column 'price' not found in " + path + "; columns: a, b, c",
                failure(spec(DataFormat.CSV, path, "price"), TEN, 1));
        assertEquals("data.features: column 'zz' not found in " + path + "; columns: a, b, c",
                failure(TestData.withFeatures(spec(DataFormat.CSV, path, "c"), List.of("a", "zz")), TEN, 1));
    }

    @Test
    void badCells() throws Exception {
        String notNumber = "x1,x3,y\n1,2,0\n3,4,1\n5,abc,1\n";
        assertEquals(dir.resolve("nan1.csv") + " line 4, column 'x3': not a number: \"abc\"",
                csvFailure("nan1.csv", notNumber, "y", new LabelEncoding.ClassIndices(2)));
        assertEquals(dir.resolve("nan2.csv") + " line 3, column 'x3': NaN/Infinity not allowed: NaN",
                csvFailure("nan2.csv", "x1,x3,y\n1,2,0\n3,NaN,1\n", "y", new LabelEncoding.ClassIndices(2)));
        assertEquals(dir.resolve("nan3.csv") +  " line 2, column 'x1': outside the float32 range: 1.0E39",
                csvFailure("nan3.csv", "x1,x3,y\n1e39,2,0\n3,4,1\n", "y", new LabelEncoding.ClassIndices(2)));
        assertEquals(dir.resolve("inf.csv") + " line 2, column 'x3': NaN/Infinity not allowed: -Infinity",
                csvFailure("inf.csv", "x1,x3,y\n1,-Infinity,0\n3,4,1\n", "y", new LabelEncoding.ClassIndices(2)));
        assertEquals(dir.resolve("gap.csv") + " line 3, column 'x1': missing value",
                csvFailure("gap.csv", "x1,x3,y\n1,2,0\n,4,1\n", "y", new LabelEncoding.ClassIndices(2)));
    }

    @Test
    void raggedRows() throws Exception {
        assertEquals(dir.resolve("ragged.csv") + " line 4: expected 3 fields, found 2",
                csvFailure("ragged.csv", "a,b,y\n1,2,0\n3,4,1\n5,1\n", "y", new LabelEncoding.ClassIndices(2)));
        StructType schema = new StructType().add("v", SQLDataTypes.VectorType()).add("y", DataTypes.IntegerType);
        String path = dir.resolve("ragged.parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2), 0),
                RowFactory.create(Vectors.dense(1, 2, 3), 1)), schema).coalesce(1).write().parquet(path);
        assertEquals(path + " row 2, column 'v': length 3, expected 2",
                failure(spec(DataFormat.PARQUET, path, "y"), new LabelEncoding.ClassIndices(2), 1));
    }

    @Test
    void classLabelsOutOfRangeOrFractional() throws Exception {
        String path = write(dir, "range.csv", "a,y\n1,0\n2,9\n3,5\n4,12\n5,14\n");
        assertEquals("label 12 at " + path + " line 5 is out of range 0..9 (output layer has 10 units)",
                failure(spec(DataFormat.CSV, path, "y"), TEN, 1));
        String fractional = write(dir, "fraction.csv", "a,y\n1,0\n2,2.5\n3,1\n");
        assertEquals("label 2.5 at " + fractional + " line 3 is not an integer class index; classification "
                + "labels are integers 0..2 or class names", failure(spec(DataFormat.CSV, fractional, "y"), THREE, 1));
        String negative = write(dir, "negative.csv", "a,y\n1,0\n2,-1\n3,1\n");
        assertEquals("label -1 at " + negative + " line 3 is out of range 0..2 (output layer has 3 units)",
                failure(spec(DataFormat.CSV, negative, "y"), THREE, 1));
    }

    @Test
    void classCountsMustMatchTheOutputLayer() throws Exception {
        String one = write(dir, "one.csv", "a,y\n1,a\n2,a\n");
        assertEquals("data.label: only one class ('a') in " + one + "; classification needs at least 2",
                failure(spec(DataFormat.CSV, one, "y"), THREE, 1));
        String abc = write(dir, "abc.csv", "a,y\n1,c\n2,a\n3,b\n");
        assertEquals("data.label: output layer has 10 units but " + abc + " has 3 classes (a, b, c)",
                failure(spec(DataFormat.CSV, abc, "y"), TEN, 1));
        String ints = write(dir, "ints.csv", "a,y\n1,0\n2,7\n3,3\n");
        assertEquals("data.label: output layer has 10 units but the largest label in " + ints
                + " is 7 (8 classes 0..7)", failure(spec(DataFormat.CSV, ints, "y"), TEN, 1));
    }

    @Test
    void testSetLabelsMustBeTrainingClasses() throws Exception {
        String train = write(dir, "train3.csv", "a,y\n1,c\n2,a\n3,b\n");
        String test = write(dir, "test3.csv", "a,y\n1,a\n2,d\n");
        assertEquals("label 'd' at " + test + " line 3 is not one of the training classes (a, b, c)",
                failure(TestData.withTest(spec(DataFormat.CSV, train, "y"), test), THREE, 1));
    }

    @Test
    void regressionLabelsMustBeNumbers() throws Exception {
        assertEquals(dir.resolve("reg.csv") + " line 3, column 'price': not a number: \"cheap\"",
                csvFailure("reg.csv", "a,price\n1,2.5\n2,cheap\n", "price", new LabelEncoding.Values(1)));
    }

    @Test
    void fewerRowsThanWorkers() throws Exception {
        String path = write(dir, "three.csv", "a,y\n1,0\n2,1\n3,1\n");
        assertEquals("data.train: 3 training rows in " + path + " (after holding out 0 for validation) for 4 "
                + "workers; every worker needs at least one row",
                failure(spec(DataFormat.CSV, path, "y"), new LabelEncoding.ClassIndices(2), 4));
    }

    @Test
    void idxHeadersAndCounts() throws Exception {
        String images = writeIdx(dir, "bad-images-idx3-ubyte", new int[] {3, 2, 2}, new byte[12]);
        String labels = writeIdx(dir, "bad-labels-idx1-ubyte", new int[] {2}, new byte[] {0, 1});
        assertEquals("data.train: " + images + " has 3 images but " + labels + " has 2 labels",
                failure(spec(DataFormat.IDX, images, null), new LabelEncoding.ClassIndices(2), 1));

        String notIdx = write(dir, "text-images-idx3-ubyte", "hello world, not an idx file");
        write(dir, "text-labels-idx1-ubyte", "x");
        assertEquals("data.train: " + notIdx + " is not an IDX file: magic number 0x68656c6c (expected "
                + "0x000008xx..0x00000exx)", failure(spec(DataFormat.IDX, notIdx, null), TEN, 1));

        String truncated = writeIdx(dir, "cut-images-idx3-ubyte.gz", new int[] {3, 2, 2}, new byte[10]);
        writeIdx(dir, "cut-labels-idx1-ubyte.gz", new int[] {3}, new byte[] {0, 1, 1});
        assertEquals(truncated + " is truncated: its header promises 3 images of 2x2, the data ends before item 3",
                failure(spec(DataFormat.IDX, truncated, null), new LabelEncoding.ClassIndices(2), 1));

        String noLabels = writeIdx(dir, "lonely-images-idx3-ubyte", new int[] {1, 1, 1}, new byte[1]);
        assertEquals("data.train: path not found: " + dir.resolve("lonely-labels-idx1-ubyte"),
                failure(spec(DataFormat.IDX, noLabels, null), TEN, 1));
    }
}
