package dptrain.driver.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.Normalization;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.LabelEncoding;
import dptrain.driver.data.PreparedData;
import dptrain.worker.data.ShardBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The TrainingMaster's shards against the job's and the estimators': the same rows in the same
 * order give every rank the same rows in the same order through all three front ends, however each
 * partitions its input; and an RDD sorted by label gives every rank every class in its share.
 */
class DataSetShardsTest {

    private static final int FEATURES = 4;
    private static final int CLASSES = 3;
    private static final int WORKERS = 3;
    private static final long SEED = 5;

    private static SparkSession spark() {
        return SparkTestSession.get();
    }

    private static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(spark().sparkContext());
    }

    /** Rows of dyadic features (exact through CSV text, doubles and float32) and a class index. */
    private record Rows(float[][] features, int[] labels) {
        int count() {
            return labels.length;
        }
    }

    private static Rows rows(int count, long seed) {
        Random random = new Random(seed);
        float[][] features = new float[count][FEATURES];
        int[] labels = new int[count];
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < FEATURES; c++) {
                features[r][c] = (random.nextInt(129) - 64) / 16f;
            }
            labels[r] = random.nextInt(CLASSES);
        }
        return new Rows(features, labels);
    }

    /** The rows sorted by label, as a sorted RDD would hold them. */
    private static Rows sortedByLabel(Rows rows) {
        Integer[] order = new Integer[rows.count()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(rows.labels()[a], rows.labels()[b]));
        float[][] features = new float[rows.count()][];
        int[] labels = new int[rows.count()];
        for (int i = 0; i < order.length; i++) {
            features[i] = rows.features()[order[i]];
            labels[i] = rows.labels()[order[i]];
        }
        return new Rows(features, labels);
    }

    /** The rows as DataSets of {@code size} examples, labels one column (the class index) or one-hot. */
    private static List<DataSet> dataSets(Rows rows, int size, boolean oneHot) {
        List<DataSet> dataSets = new ArrayList<>();
        for (int from = 0; from < rows.count(); from += size) {
            int to = Math.min(rows.count(), from + size);
            float[][] labels = new float[to - from][oneHot ? CLASSES : 1];
            for (int r = from; r < to; r++) {
                labels[r - from][oneHot ? rows.labels()[r] : 0] = oneHot ? 1f : rows.labels()[r];
            }
            dataSets.add(new DataSet(Nd4j.create(Arrays.copyOfRange(rows.features(), from, to)),
                    Nd4j.create(labels)));
        }
        return dataSets;
    }

    /** The TrainingMaster's shards of the DataSets, indexed by rank. */
    private static ShardBlock[] trainingMasterShards(List<DataSet> dataSets, int partitions) {
        JavaRDD<DataSet> rdd = context().parallelize(dataSets, partitions);
        DataSetShards.Shards shards = DataSetShards.cut(context(), rdd, DataSetShards.count(context(), rdd, WORKERS));
        try {
            List<ShardBlock> blocks = shards.blocks().collect();
            assertEquals(WORKERS, blocks.size());
            for (int rank = 0; rank < WORKERS; rank++) {
                assertEquals(blocks.get(rank).rows(), shards.rows()[rank]);
            }
            return blocks.toArray(ShardBlock[]::new);
        } finally {
            shards.blocks().unpersist(false);
        }
    }

    private static ShardBlock[] shards(PreparedData data) {
        try {
            return data.train().collect().toArray(ShardBlock[]::new);
        } finally {
            data.train().unpersist(false);
            data.validation().unpersist(false);
        }
    }

    /** What the job reads: a CSV file of the rows with a header, label last. */
    private static ShardBlock[] jobShards(Rows rows, Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int r = 0; r < rows.count(); r++) {
            for (float value : rows.features()[r]) {
                csv.append(value).append(',');
            }
            csv.append(rows.labels()[r]).append('\n');
        }
        Path file = dir.resolve("train.csv");
        Files.writeString(file, csv);
        DataSpec spec = new DataSpec(DataFormat.CSV, file.toString(), null, "label", List.of(), true, 0.0,
                Normalization.NONE, 1.0, 0);
        return shards(DatasetPreparer.prepare(spark(), spec, new LabelEncoding.ClassIndices(CLASSES), WORKERS, SEED));
    }

    /** What an estimator is given: a DataFrame of a vector column and a label column, on {@code partitions}. */
    private static ShardBlock[] estimatorShards(Rows rows, int partitions) {
        List<Row> frameRows = new ArrayList<>();
        for (int r = 0; r < rows.count(); r++) {
            double[] values = new double[FEATURES];
            for (int c = 0; c < FEATURES; c++) {
                values[c] = rows.features()[r][c];
            }
            frameRows.add(RowFactory.create(Vectors.dense(values), (double) rows.labels()[r]));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.DoubleType);
        Dataset<Row> frame = spark().createDataFrame(context().parallelize(frameRows, partitions), schema);
        return shards(DatasetPreparer.prepare(spark(), frame, "features", "label",
                new LabelEncoding.ClassIndices(CLASSES), 0.0, WORKERS, SEED));
    }

    /** The shards the rule must give, written out independently: row p to rank p mod W, in row order. */
    private static ShardBlock[] dealt(Rows rows) {
        ShardBlock[] shards = new ShardBlock[WORKERS];
        for (int rank = 0; rank < WORKERS; rank++) {
            int count = (rows.count() - rank + WORKERS - 1) / WORKERS;
            float[] features = new float[count * FEATURES];
            float[] labels = new float[count];
            for (int i = 0; i < count; i++) {
                int row = rank + i * WORKERS;
                System.arraycopy(rows.features()[row], 0, features, i * FEATURES, FEATURES);
                labels[i] = rows.labels()[row];
            }
            shards[rank] = new ShardBlock(count, FEATURES, 1, features, labels);
        }
        return shards;
    }

    private static void assertSameShards(ShardBlock[] expected, ShardBlock[] actual, String front) {
        assertEquals(expected.length, actual.length, front + ": shards");
        for (int rank = 0; rank < expected.length; rank++) {
            assertEquals(expected[rank].rows(), actual[rank].rows(), front + ": rows of rank " + rank);
            assertEquals(expected[rank].labelWidth(), actual[rank].labelWidth(), front + ": label width");
            assertArrayEquals(expected[rank].features(), actual[rank].features(), front + ": features of rank " + rank);
            assertArrayEquals(expected[rank].labels(), actual[rank].labels(), front + ": labels of rank " + rank);
        }
    }

    /**
     * 103 rows (shards of 35, 34, 34): a CSV file for the job, a DataFrame on 4 partitions for the
     * estimators, DataSets of 7 on 2 and on 5 partitions for the TrainingMaster (boundaries that match
     * neither each other nor the shards).
     */
    @Test
    void theSameRowsGiveEveryRankTheSameRowsInTheSameOrderThroughEveryFrontEnd(@TempDir Path dir)
            throws IOException {
        Rows rows = rows(103, 17);
        ShardBlock[] expected = dealt(rows);
        assertSameShards(expected, jobShards(rows, dir), "job");
        assertSameShards(expected, estimatorShards(rows, 4), "estimator");
        assertSameShards(expected, trainingMasterShards(dataSets(rows, 7, false), 2), "TrainingMaster, 2 partitions");
        assertSameShards(expected, trainingMasterShards(dataSets(rows, 7, false), 5), "TrainingMaster, 5 partitions");
    }

    /**
     * An RDD sorted by label (one-hot labels, DataSets of 10 on 4 partitions): every rank gets every
     * class, each in its share of the whole to within one row. Cut into ranges, rank 0 would have held
     * only class 0 and rank 2 only class 2 for the whole run.
     */
    @Test
    void aSortedRddGivesNoRankABiasedShard() {
        Rows sorted = sortedByLabel(rows(300, 23));
        int[] total = new int[CLASSES];
        for (int label : sorted.labels()) {
            total[label]++;
        }
        ShardBlock[] shards = trainingMasterShards(dataSets(sorted, 10, true), 4);
        for (int rank = 0; rank < WORKERS; rank++) {
            ShardBlock shard = shards[rank];
            assertEquals(CLASSES, shard.labelWidth());
            int[] counts = new int[CLASSES];
            for (int row = 0; row < shard.rows(); row++) {
                for (int c = 0; c < CLASSES; c++) {
                    counts[c] += (int) shard.labels()[row * CLASSES + c];
                }
            }
            for (int c = 0; c < CLASSES; c++) {
                assertTrue(Math.abs(counts[c] * WORKERS - total[c]) < WORKERS,
                        "rank " + rank + " holds " + counts[c] + " of the " + total[c] + " rows of class " + c);
            }
        }
    }
}
