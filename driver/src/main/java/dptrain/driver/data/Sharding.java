package dptrain.driver.data;

import java.io.Serializable;
import org.apache.spark.Partitioner;

/**
 * The one rule that says which training row goes to which rank, for every front end (the job, the
 * Spark ML estimators, the dl4j-spark TrainingMaster): number the training rows {@code 0..N-1} in
 * input order (file, DataFrame or RDD order, held-out validation rows skipped), then row {@code p}
 * goes to rank {@code p mod W} as that rank's row {@code floor(p / W)}, so each rank keeps its rows
 * in input order.
 *
 * <p>Why dealt and not cut into ranges: input is often sorted (by label, by date), and a range would
 * give a rank a biased shard for the whole run; dealing gives every rank every part of the input,
 * and shard sizes still differ by at most one row. Because the rule depends only on a row's number,
 * the same rows in the same order give every rank the same rows in the same order whichever front
 * end read them and however the input was partitioned, which is what lets the three front ends end
 * with identical parameters.
 *
 * @param workers the number of ranks W, at least 1
 */
public record Sharding(int workers) implements Serializable {

    public Sharding {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
    }

    /** The rank that trains row {@code position}. */
    public int rankOf(long position) {
        return (int) (checked(position) % workers);
    }

    /** Where row {@code position} sits in its rank's shard. */
    public long indexInShard(long position) {
        return checked(position) / workers;
    }

    /**
     * How many of rows {@code 0..rows-1} rank {@code rank} gets; with {@code rows} the total this is
     * the rank's shard size, with a row's number it is where the rank's next row sits in its shard.
     */
    public long shardRows(int rank, long rows) {
        if (rank < 0 || rank >= workers) {
            throw new IllegalArgumentException("rank must be in [0, " + workers + "), got " + rank);
        }
        return (checked(rows) + workers - 1 - rank) / workers;
    }

    /** Every rank's shard size for {@code total} rows, indexed by rank. */
    public long[] shardRows(long total) {
        long[] rows = new long[workers];
        for (int rank = 0; rank < workers; rank++) {
            rows[rank] = shardRows(rank, total);
        }
        return rows;
    }

    /** A Spark partitioner of rows keyed by their {@code Long} number: partition r holds rank r's rows. */
    Partitioner partitioner() {
        return new RankPartitioner(this);
    }

    private static long checked(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("row numbers start at 0, got " + position);
        }
        return position;
    }

    /** Sends the row numbered by its key to its rank's partition. */
    static final class RankPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final Sharding sharding;

        RankPartitioner(Sharding sharding) {
            this.sharding = sharding;
        }

        @Override
        public int numPartitions() {
            return sharding.workers();
        }

        @Override
        public int getPartition(Object key) {
            return sharding.rankOf((Long) key);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof RankPartitioner p && p.sharding.equals(sharding);
        }

        @Override
        public int hashCode() {
            return sharding.hashCode();
        }
    }
}
