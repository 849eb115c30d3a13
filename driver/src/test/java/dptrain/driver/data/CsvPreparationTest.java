package dptrain.driver.data;

import static dptrain.driver.data.TestData.merged;
import static dptrain.driver.data.TestData.spec;
import static dptrain.driver.data.TestData.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.Normalization;
import dptrain.worker.data.ShardBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvPreparationTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    /** 400 rows: id (= row number), a constant, a noisy feature; labels 0..2. */
    static String numbered;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTestSession.get();
        StringBuilder csv = new StringBuilder("id,c,z,y\n");
        for (int i = 0; i < 400; i++) {
            csv.append(i).append(",7,").append((i * 37 % 101) / 4.0).append(',').append(i % 3).append('\n');
        }
        numbered = write(dir, "numbered.csv", csv.toString());
    }

    @Test
    void stringLabelsAreNumberedInSortedOrderAndScaled() throws Exception {
        String path = write(dir, "animals.csv", "a,b,y\n1,2,cat\n3,4,dog\n\n5,6,cat\n7,8,\"bird\"\n");
        DataSpec spec = TestData.withNormalize(spec(DataFormat.CSV, path, "y"), Normalization.SCALE, 2.0);

        PreparedData data = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), 1, 1L);

        assertEquals(List.of("bird", "cat", "dog"), data.labelNames());
        assertEquals(List.of("a", "b"), data.featureColumns());
        assertEquals(4, data.trainRows());
        assertEquals(0, data.validationRows());
        assertEquals(2, data.featureCount());
        assertNull(data.test());
        ShardBlock block = merged(data.train());
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f}, block.features());
        assertArrayEquals(new float[] {1, 2, 1, 0}, block.labels());
        assertArrayEquals(new float[] {0, 0}, data.scaling().offset());
        assertArrayEquals(new float[] {2, 2}, data.scaling().divisor());
    }

    @Test
    void integerLabelsWithoutHeaderAndChosenFeaturesAndTestSet() throws Exception {
        String train = write(dir, "ints.csv", "0.5,9,0\n1.5,8,2\n2.5,7,1\n");
        String test = write(dir, "ints-test.csv", "4,1,2\n5,2,0\n");
        DataSpec spec = TestData.withTest(TestData.withFeatures(TestData.withHeader(
                spec(DataFormat.CSV, train, "_c2"), false), List.of("_c1", "_c0")), test);

        PreparedData data = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), 1, 1L);

        assertEquals(List.of("0", "1", "2"), data.labelNames());
        assertEquals(List.of("_c1", "_c0"), data.featureColumns());
        ShardBlock block = merged(data.train());
        assertArrayEquals(new float[] {9, 0.5f, 8, 1.5f, 7, 2.5f}, block.features());
        assertArrayEquals(new float[] {0, 2, 1}, block.labels());
        assertEquals(2, data.testRows());
        ShardBlock test2 = merged(data.test());
        assertArrayEquals(new float[] {1, 4, 2, 5}, test2.features());
        assertArrayEquals(new float[] {2, 0}, test2.labels());
    }

    @Test
    void regressionKeepsTargetValues() throws Exception {
        String path = write(dir, "prices.csv", "x,price\n1,10.5\n2,-3\n3,0.25\n");
        PreparedData data = DatasetPreparer.prepare(spark, spec(DataFormat.CSV, path, "price"),
                new LabelEncoding.Values(1), 2, 1L);

        assertEquals(List.of(), data.labelNames());
        List<ShardBlock> shards = data.train().collect();
        assertArrayEquals(new float[] {1, 3}, shards.get(0).features());
        assertArrayEquals(new float[] {10.5f, 0.25f}, shards.get(0).labels());
        assertArrayEquals(new float[] {2}, shards.get(1).features());
        assertArrayEquals(new float[] {-3f}, shards.get(1).labels());
    }

    @Test
    void shardsAreBalancedOrderedAndIdenticalAcrossRuns() {
        DataSpec spec = TestData.withSplit(spec(DataFormat.CSV, numbered, "y"), 0.25);
        int workers = 3;
        PreparedData first = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), workers, 42L);
        PreparedData second = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), workers, 42L);

        assertEquals(workers, first.train().getNumPartitions());
        List<List<ShardBlock>> partitions = first.train().glom().collect();
        ValidationSplit split = new ValidationSplit(42L, 0.25);
        List<Float> expectedTrainIds = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            if (!split.isValidation(i + 1)) {  // line index: the header is line 0
                expectedTrainIds.add((float) i);
            }
        }
        assertEquals(expectedTrainIds.size(), first.trainRows());
        assertEquals(400 - expectedTrainIds.size(), first.validationRows());
        for (int r = 0; r < workers; r++) {
            assertEquals(1, partitions.get(r).size(), "one block in partition " + r);
            ShardBlock shard = partitions.get(r).get(0);
            List<Float> expected = new ArrayList<>();
            for (int p = r; p < expectedTrainIds.size(); p += workers) {
                expected.add(expectedTrainIds.get(p));
            }
            assertEquals(expected.size(), shard.rows());
            List<Float> ids = new ArrayList<>();
            for (int row = 0; row < shard.rows(); row++) {
                ids.add(shard.features()[row * 3]);
                assertEquals(expected.get(row) % 3, shard.labels()[row], 0f);
            }
            assertEquals(expected, ids, "shard " + r + " holds positions r, r+W, ... in file order");
            assertTrue(Math.abs(shard.rows() - first.trainRows() / (double) workers) < 1);
            ShardBlock again = second.train().glom().collect().get(r).get(0);
            assertArrayEquals(shard.features(), again.features());
            assertArrayEquals(shard.labels(), again.labels());
        }
        assertArrayEquals(merged(first.validation()).features(), merged(second.validation()).features());
        PreparedData otherSeed = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), workers, 43L);
        assertTrue(otherSeed.validationRows() != first.validationRows()
                || merged(otherSeed.validation()).features()[0] != merged(first.validation()).features()[0]);
    }

    @Test
    void splitFractionIsApproximatelyRight() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            csv.append(i).append(',').append(i % 2).append('\n');
        }
        String path = write(dir, "big.csv", csv.toString());
        DataSpec spec = TestData.withSplit(TestData.withHeader(spec(DataFormat.CSV, path, "_c1"), false), 0.2);
        PreparedData data = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(2), 2, 7L);

        assertEquals(5000, data.trainRows() + data.validationRows());
        assertEquals(0.2, data.validationRows() / 5000.0, 0.02);
        ShardBlock validation = merged(data.validation());
        assertEquals(data.validationRows(), validation.rows());
        ValidationSplit split = new ValidationSplit(7L, 0.2);
        for (int row = 0; row < validation.rows(); row++) {
            assertTrue(split.isValidation((long) validation.features()[row]));
        }
    }

    @Test
    void standardStatisticsComeFromTheTrainingSplitOnly() {
        DataSpec spec = TestData.withNormalize(TestData.withSplit(spec(DataFormat.CSV, numbered, "y"), 0.3),
                Normalization.STANDARD, 1.0);
        PreparedData data = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), 2, 5L);

        ValidationSplit split = new ValidationSplit(5L, 0.3);
        double[] sum = new double[3];
        double[] sumSquares = new double[3];
        int n = 0;
        int firstTrainId = -1;
        for (int i = 0; i < 400; i++) {
            if (!split.isValidation(i + 1)) {
                firstTrainId = firstTrainId < 0 ? i : firstTrainId;
                double[] x = {i, 7, (i * 37 % 101) / 4.0};
                for (int j = 0; j < 3; j++) {
                    sum[j] += x[j];
                    sumSquares[j] += x[j] * x[j];
                }
                n++;
            }
        }
        assertEquals(n, data.trainRows());
        for (int j = 0; j < 3; j++) {
            double mean = sum[j] / n;
            double std = Math.sqrt(sumSquares[j] / n - mean * mean);
            assertEquals(mean, data.scaling().offset()[j], 1e-4 * Math.max(1, mean));
            assertEquals(j == 1 ? 1.0 : std, data.scaling().divisor()[j], 1e-4 * Math.max(1, std));
        }
        // Blocks hold exactly (x - offset) / divisor in float32.
        ShardBlock shard = data.train().collect().get(0);
        float[] off = data.scaling().offset();
        float[] div = data.scaling().divisor();
        assertEquals(((float) firstTrainId - off[0]) / div[0], shard.features()[0], 0f);
        assertEquals(0f, shard.features()[1], 0f);
    }

    @Test
    void minMaxStatisticsComeFromTheTrainingSplitOnly() {
        DataSpec spec = TestData.withNormalize(TestData.withSplit(spec(DataFormat.CSV, numbered, "y"), 0.5),
                Normalization.MINMAX, 1.0);
        PreparedData data = DatasetPreparer.prepare(spark, spec, new LabelEncoding.ClassIndices(3), 2, 11L);

        ValidationSplit split = new ValidationSplit(11L, 0.5);
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < 400; i++) {
            if (!split.isValidation(i + 1)) {
                min = Math.min(min, i);
                max = Math.max(max, i);
            }
        }
        assertArrayEquals(new float[] {min, 7, 0}, new float[] {data.scaling().offset()[0],
                data.scaling().offset()[1], 0});
        assertEquals(max - min, data.scaling().divisor()[0], 0f);
        assertEquals(1f, data.scaling().divisor()[1], 0f, "constant feature: divisor 1");
        ShardBlock train = merged(data.train());
        for (int row = 0; row < train.rows(); row++) {
            float x = train.features()[row * 3];
            assertTrue(x >= 0 && x <= 1, "train ids map into [0, 1]: " + x);
            assertEquals(0f, train.features()[row * 3 + 1], 0f);
        }
    }
}
