package dptrain.worker.task;

import dptrain.worker.step.NetworkState;
import java.io.Serializable;

/**
 * What every rank of an epoch's barrier stage receives (broadcast once per epoch).
 *
 * @param configurationJson the DL4J {@code MultiLayerConfiguration} as JSON
 * @param start             parameters, updater state and counters at the start of the epoch
 * @param seed              the job's seed (shuffling depends on seed, epoch and rank only)
 * @param batchSize         the global mini-batch size
 * @param shardRows         rows of each rank's shard, indexed by rank
 * @param classes           one-hot width for class-index labels, or 0 to use label values as they are
 * @param secret            32 random bytes per job: the all-reduce key, or with {@code spark.authenticate}
 *                          only the nonce the key is derived from ({@link CollectiveKey})
 * @param sessionTag        job and epoch attempt; peers of any other attempt are refused
 * @param timeoutSeconds    the longest any collective wait may take
 */
public record EpochPlan(String configurationJson, NetworkState start, long seed, int batchSize, long[] shardRows,
                        int classes, byte[] secret, String sessionTag, int timeoutSeconds) implements Serializable {

    public int workers() {
        return shardRows.length;
    }
}
