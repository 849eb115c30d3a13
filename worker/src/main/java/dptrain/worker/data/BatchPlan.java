package dptrain.worker.data;

import java.util.SplittableRandom;

/**
 * Which rows of which shard make up each global mini-batch of an epoch.
 *
 * <p>An epoch over {@code N = sum(shardRows)} rows has {@code I = ceil(N / batchSize)} iterations,
 * the same on every rank so the ranks stay in lock-step. Rank {@code r} visits its shard in a
 * seeded order that depends only on (seed, epoch, rank), and contributes rows
 * {@code [floor(i*n_r/I), floor((i+1)*n_r/I))} of that order to iteration {@code i}. Every row is
 * used exactly once per epoch, every global batch has at most {@code batchSize} rows, and shards
 * of different sizes (or a last, short batch) need no padding: the all-reduce sums gradient sums,
 * so each global batch is weighted by exactly the rows it holds.
 */
public record BatchPlan(long[] shardRows, int batchSize, long seed, int epoch) {

    public BatchPlan {
        if (shardRows.length == 0 || batchSize <= 0) {
            throw new IllegalArgumentException("need at least one shard and a positive batch size");
        }
        shardRows = shardRows.clone();
    }

    public int ranks() {
        return shardRows.length;
    }

    public long totalRows() {
        long total = 0;
        for (long rows : shardRows) {
            total += rows;
        }
        return total;
    }

    public int iterations() {
        return (int) ((totalRows() + batchSize - 1) / batchSize);
    }

    /** First position (in the rank's epoch order) that iteration {@code i} uses. */
    public int partStart(int rank, int iteration) {
        return (int) (iteration * shardRows[rank] / iterations());
    }

    /** Rows that rank {@code rank} contributes to iteration {@code i}. */
    public int partSize(int rank, int iteration) {
        return partStart(rank, iteration + 1) - partStart(rank, iteration);
    }

    /** Rows of the whole global batch of iteration {@code i}. */
    public int globalBatchSize(int iteration) {
        int rows = 0;
        for (int rank = 0; rank < ranks(); rank++) {
            rows += partSize(rank, iteration);
        }
        return rows;
    }

    /** The order in which {@code rank} visits its shard this epoch: a seeded Fisher-Yates shuffle. */
    public int[] order(int rank) {
        int rows = Math.toIntExact(shardRows[rank]);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(mix(seed, epoch, rank));
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static long mix(long seed, int epoch, int rank) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + rank;
        return h ^ (h >>> 29);
    }
}
