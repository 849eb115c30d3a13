package dptrain.driver.data;

import dptrain.worker.data.ShardBlock;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/** Turns checked rows into normalised float32 {@link ShardBlock}s. */
final class Blocks {

    /** Rows per validation/test block. */
    static final int CHUNK_ROWS = 4096;

    private Blocks() {
    }

    /** A row after label mapping and normalisation, as it crosses the shuffle. */
    record LabeledRow(float[] features, float label) implements Serializable {
    }

    /**
     * The training split as exactly {@code workers} partitions, partition {@code r} holding one block with
     * rank {@code r}'s rows by the {@link Sharding} rule, training rows numbered in file order.
     *
     * @param offsets for each partition of {@code rows}, how many training rows precede it
     */
    static JavaRDD<ShardBlock> shards(JavaRDD<SourceRow> rows, ValidationSplit split, long[] offsets, int workers,
                                      int featureCount, LabelMapping labels, FeatureScaling scaling,
                                      RowOrigin origin) {
        JavaRDD<Tuple2<Long, LabeledRow>> positioned = rows.mapPartitionsWithIndex((partition, it) -> {
            long[] position = {offsets[partition]};
            return stream(it).filter(row -> !split.isValidation(row.index()))
                    .map(row -> new Tuple2<>(position[0]++, labeled(row, labels, scaling, origin)))
                    .iterator();
        }, true);
        // The shuffle loses the order within a partition; sorting by row number restores the rule's order.
        return JavaPairRDD.fromJavaRDD(positioned)
                .repartitionAndSortWithinPartitions(new Sharding(workers).partitioner())
                .mapPartitions(it -> {
                    BlockBuilder block = new BlockBuilder(featureCount);
                    it.forEachRemaining(pair -> block.add(pair._2()));
                    return List.of(block.build()).iterator();
                }, true);
    }

    /** Rows as blocks of at most {@link #CHUNK_ROWS}, partitioning kept. */
    static JavaRDD<ShardBlock> chunks(JavaRDD<SourceRow> rows, int featureCount, LabelMapping labels,
                                      FeatureScaling scaling, RowOrigin origin) {
        return rows.mapPartitions(it -> new Iterator<ShardBlock>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public ShardBlock next() {
                BlockBuilder block = new BlockBuilder(featureCount);
                for (int n = 0; n < CHUNK_ROWS && it.hasNext(); n++) {
                    block.add(labeled(it.next(), labels, scaling, origin));
                }
                return block.build();
            }
        }, true);
    }

    static LabeledRow labeled(SourceRow row, LabelMapping labels, FeatureScaling scaling, RowOrigin origin) {
        return new LabeledRow(normalise(row.features(), scaling), labels.map(row, origin));
    }

    /** {@code (x - offset) / divisor} in float32 into a new array (the cached source row stays as read). */
    static float[] normalise(float[] x, FeatureScaling scaling) {
        float[] offset = scaling.offset();
        float[] divisor = scaling.divisor();
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = (x[j] - offset[j]) / divisor[j];
        }
        return out;
    }

    private static <T> java.util.stream.Stream<T> stream(Iterator<T> it) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
    }

    /** Appends rows into growing float arrays, trimmed to size by {@link #build()}. */
    private static final class BlockBuilder {
        private final int featureCount;
        private float[] features;
        private float[] labels;
        private int rows;

        BlockBuilder(int featureCount) {
            this.featureCount = featureCount;
            this.features = new float[featureCount * 16];
            this.labels = new float[16];
        }

        void add(LabeledRow row) {
            if (rows == labels.length) {
                labels = Arrays.copyOf(labels, rows * 2);
                features = Arrays.copyOf(features, Math.multiplyExact(rows * 2, featureCount));
            }
            System.arraycopy(row.features(), 0, features, rows * featureCount, featureCount);
            labels[rows++] = row.label();
        }

        ShardBlock build() {
            return new ShardBlock(rows, featureCount, 1, Arrays.copyOf(features, rows * featureCount),
                    Arrays.copyOf(labels, rows));
        }
    }
}
