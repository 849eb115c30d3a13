package dptrain.driver.dl4j;

import dptrain.driver.data.Sharding;
import dptrain.driver.engine.JobDescription;
import dptrain.worker.data.ShardBlock;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;

/**
 * The examples of an RDD of DL4J {@link DataSet}s as exactly {@code workers} shards, the form the
 * epoch's barrier stage trains on: the examples are numbered in RDD order (partition by partition,
 * each DataSet's rows in order) and dealt to ranks by the {@link Sharding} rule the job and the
 * Spark ML estimators use, so the same rows in the same order give every rank the same rows in the
 * same order through every front end, and a sorted RDD gives no rank a biased shard. The DataSet
 * objects' own sizes do not matter; the global mini-batch is cut from the shards by the engine's
 * batch plan.
 *
 * <p>Two Spark jobs: one that counts and checks each partition's examples (so a bad DataSet gets
 * one clear line on the driver before any training starts), one that splits every partition into
 * one chunk per shard and gathers each shard's chunks in order into one float32
 * {@link ShardBlock}, cached like the shards of a job spec.
 */
final class DataSetShards {

    private DataSetShards() {
    }

    /**
     * Counts and checks the RDD's examples (one Spark job): where each partition's examples start,
     * and the feature and label widths.
     *
     * @throws IllegalArgumentException when a DataSet cannot be trained on (not 2-D, masks, widths
     *                                  that differ) or there are fewer examples than workers
     */
    static Census count(JavaSparkContext spark, JavaRDD<DataSet> data, int workers) {
        List<PartitionSummary> summaries;
        try {
            summaries = JobDescription.during(spark, "AllReduceTrainingMaster: count examples",
                    () -> data.mapPartitionsWithIndex(DataSetShards::summarise, false).collect());
        } catch (Exception e) { // SparkException is a checked exception Scala throws undeclared
            throw refusedInput(e);
        }
        long[] offsets = new long[summaries.size() + 1];
        int featureWidth = -1;
        int labelWidth = -1;
        PartitionSummary widthsFrom = null;
        for (PartitionSummary summary : summaries) {
            if (summary.problem() != null) {
                throw new IllegalArgumentException(summary.problem());
            }
            if (summary.rows() > 0) {
                if (widthsFrom == null) {
                    widthsFrom = summary;
                    featureWidth = summary.featureWidth();
                    labelWidth = summary.labelWidth();
                } else if (summary.featureWidth() != featureWidth || summary.labelWidth() != labelWidth) {
                    throw new IllegalArgumentException("DataSets differ in width: partition " + widthsFrom.partition()
                            + " has " + featureWidth + " feature and " + labelWidth + " label columns, partition "
                            + summary.partition() + " has " + summary.featureWidth() + " and "
                            + summary.labelWidth());
                }
            }
            offsets[summary.partition() + 1] = summary.rows();
        }
        for (int p = 0; p < summaries.size(); p++) {
            offsets[p + 1] += offsets[p];
        }
        long total = offsets[summaries.size()];
        if (total < workers) {
            throw new IllegalArgumentException("the RDD holds " + total + " examples, fewer than the " + workers
                    + " workers; every worker needs at least one");
        }
        return new Census(new Layout(offsets, total, workers, featureWidth, labelWidth));
    }

    /** What {@link #count} found: every example's place, and the widths. */
    record Census(Layout layout) {
        int featureWidth() {
            return layout.featureWidth();
        }

        int labelWidth() {
            return layout.labelWidth();
        }
    }

    /** The shards of {@code census}'s RDD (one more Spark job), cached {@code MEMORY_ONLY}; the caller unpersists them. */
    static Shards cut(JavaSparkContext spark, JavaRDD<DataSet> data, Census census) {
        Layout layout = census.layout();
        JavaRDD<ShardBlock> blocks = data
                .mapPartitionsWithIndex((partition, dataSets) -> layout.chunks(partition, dataSets), false)
                .mapToPair(chunk -> new Tuple2<>(chunk.shard(), chunk))
                .partitionBy(new HashPartitioner(layout.workers())) // Integer keys 0..W-1: key r lands in partition r
                .values()
                .mapPartitions(layout::block, true)
                .setName("AllReduceTrainingMaster shards")
                .persist(StorageLevel.MEMORY_ONLY());
        List<Integer> rows = JobDescription.during(spark, "AllReduceTrainingMaster: build shards",
                () -> blocks.map(ShardBlock::rows).collect());
        return new Shards(blocks, rows.stream().mapToLong(Integer::longValue).toArray());
    }

    /**
     * An input a task refused while reading the RDD (a MultiDataSet of several arrays) as the
     * task's own one line, not Spark's wrapping of it; any other failure as it was.
     */
    private static RuntimeException refusedInput(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException refused && refused.getMessage() != null
                    && refused.getMessage().contains("AllReduceTrainingMaster")) {
                return new IllegalArgumentException(refused.getMessage(), failure);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return failure instanceof RuntimeException unchecked ? unchecked
                : new IllegalStateException(failure.getMessage(), failure);
    }

    /**
     * @param blocks       one block per partition, partition r = rank r's shard
     * @param rows         examples per shard, indexed by rank
     */
    record Shards(JavaRDD<ShardBlock> blocks, long[] rows) {
    }

    /** A partition's example count and widths, or why it cannot be trained on. */
    record PartitionSummary(int partition, long rows, int featureWidth, int labelWidth, String problem)
            implements Serializable {
    }

    private static Iterator<PartitionSummary> summarise(int partition, Iterator<DataSet> dataSets) {
        long rows = 0;
        int featureWidth = -1;
        int labelWidth = -1;
        int index = 0;
        for (; dataSets.hasNext(); index++) {
            DataSet dataSet = dataSets.next();
            String problem = problem(dataSet);
            if (problem == null && rows > 0 && (dataSet.getFeatures().columns() != featureWidth
                    || dataSet.getLabels().columns() != labelWidth)) {
                problem = "has " + dataSet.getFeatures().columns() + " feature and " + dataSet.getLabels().columns()
                        + " label columns, the DataSets before it " + featureWidth + " and " + labelWidth;
            }
            if (problem != null) {
                return List.of(new PartitionSummary(partition, rows, featureWidth, labelWidth,
                        "DataSet " + index + " of partition " + partition + " " + problem)).iterator();
            }
            if (dataSet.numExamples() > 0) {
                featureWidth = (int) dataSet.getFeatures().columns();
                labelWidth = (int) dataSet.getLabels().columns();
                rows += dataSet.numExamples();
            }
        }
        return List.of(new PartitionSummary(partition, rows, featureWidth, labelWidth, null)).iterator();
    }

    /** Why the engine cannot train on this DataSet as it is, or {@code null}. */
    private static String problem(DataSet dataSet) {
        INDArray features = dataSet.getFeatures();
        INDArray labels = dataSet.getLabels();
        if (features == null || labels == null) {
            return "has no " + (features == null ? "features" : "labels");
        }
        if (features.rank() != 2) {
            return "has features of shape " + java.util.Arrays.toString(features.shape())
                    + "; AllReduceTrainingMaster trains on one row of features per example: flatten them and give"
                    + " the network an input type that takes flat rows (e.g. InputType.convolutionalFlat)";
        }
        if (labels.rank() != 2) {
            return "has labels of shape " + java.util.Arrays.toString(labels.shape())
                    + "; AllReduceTrainingMaster trains on one row of labels per example";
        }
        if (features.rows() != labels.rows()) {
            return "has " + features.rows() + " feature rows but " + labels.rows() + " label rows";
        }
        if (dataSet.getFeaturesMaskArray() != null || dataSet.getLabelsMaskArray() != null) {
            return "has a mask array; AllReduceTrainingMaster trains on unmasked examples only";
        }
        return null;
    }

    /**
     * A partition's examples that go to one shard: {@code rows} examples that sit at
     * {@code [start, start + rows)} in that shard.
     */
    record Chunk(int shard, long start, int rows, float[] features, float[] labels) implements Serializable {
    }

    /** Where each example goes: the partition offsets, and the {@link Sharding} rule over their numbers. */
    record Layout(long[] offsets, long total, int workers, int featureWidth, int labelWidth)
            implements Serializable {

        Sharding sharding() {
            return new Sharding(workers);
        }

        /** The partition's examples, one chunk per shard that gets any of them. */
        Iterator<Chunk> chunks(int partition, Iterator<DataSet> dataSets) {
            Sharding sharding = sharding();
            long start = offsets[partition];
            long end = offsets[partition + 1];
            int[] filled = new int[workers];
            float[][] features = new float[workers][];
            float[][] labels = new float[workers][];
            for (int shard = 0; shard < workers; shard++) {
                int rows = rows(sharding, shard, start, end);
                features[shard] = new float[rows * featureWidth];
                labels[shard] = new float[rows * labelWidth];
            }
            long example = start;
            while (dataSets.hasNext()) {
                DataSet dataSet = dataSets.next();
                if (dataSet.numExamples() == 0) {
                    continue;
                }
                float[][] x = dataSet.getFeatures().toFloatMatrix();
                float[][] y = dataSet.getLabels().toFloatMatrix();
                for (int row = 0; row < x.length; row++, example++) {
                    if (example == end) {
                        throw changedOnReread(partition, end - start);
                    }
                    int shard = sharding.rankOf(example);
                    System.arraycopy(x[row], 0, features[shard], filled[shard] * featureWidth, featureWidth);
                    System.arraycopy(y[row], 0, labels[shard], filled[shard] * labelWidth, labelWidth);
                    filled[shard]++;
                }
            }
            if (example != end) {
                throw changedOnReread(partition, end - start);
            }
            List<Chunk> chunks = new ArrayList<>();
            for (int shard = 0; shard < workers; shard++) {
                if (filled[shard] > 0) {
                    chunks.add(new Chunk(shard, sharding.shardRows(shard, start), filled[shard], features[shard],
                            labels[shard]));
                }
            }
            return chunks.iterator();
        }

        private static IllegalStateException changedOnReread(int partition, long counted) {
            return new IllegalStateException("partition " + partition + " holds other examples than the "
                    + counted + " it held when counted; the RDD must give the same DataSets every time it is read");
        }

        private static int rows(Sharding sharding, int shard, long start, long end) {
            return Math.toIntExact(sharding.shardRows(shard, end) - sharding.shardRows(shard, start));
        }

        /** One shard's chunks, in example order, as one block. */
        Iterator<ShardBlock> block(Iterator<Chunk> chunks) {
            List<Chunk> mine = new ArrayList<>();
            chunks.forEachRemaining(mine::add);
            Collections.sort(mine, Comparator.comparingLong(Chunk::start));
            int rows = mine.stream().mapToInt(Chunk::rows).sum();
            float[] features = new float[rows * featureWidth];
            float[] labels = new float[rows * labelWidth];
            int at = 0;
            for (Chunk chunk : mine) {
                if (chunk.start() != at) {
                    throw new IllegalStateException("shard " + chunk.shard() + " is missing its examples from "
                            + at + " to " + chunk.start());
                }
                System.arraycopy(chunk.features(), 0, features, at * featureWidth, chunk.features().length);
                System.arraycopy(chunk.labels(), 0, labels, at * labelWidth, chunk.labels().length);
                at += chunk.rows();
            }
            return List.of(new ShardBlock(rows, featureWidth, labelWidth, features, labels)).iterator();
        }
    }
}
