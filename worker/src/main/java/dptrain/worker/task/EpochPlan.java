package dptrain.worker.task;

import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
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
 * @param step              averaging mode, gradient clipping and monitoring probes
 * @param encrypted         whether the ring and the rendezvous encrypt their frames after the handshake: decided
 *                          once, on the driver, so every rank and the rendezvous agree
 * @param rendezvous        "host:port" of the driver's {@code RendezvousServer} for this epoch attempt, or
 *                          {@code null}: the ranks meet through Spark's {@code BarrierTaskContext.allGather}
 */
public record EpochPlan(String configurationJson, NetworkState start, long seed, int batchSize, long[] shardRows,
                        int classes, byte[] secret, String sessionTag, int timeoutSeconds, StepSettings step,
                        boolean encrypted, String rendezvous)
        implements Serializable {

    /** The one constructor: every caller says how the ranks step, so none silently gets a default. */
    public EpochPlan {
        java.util.Objects.requireNonNull(step, "step");
    }

    /** This plan for one epoch attempt: its configuration, start state and session tag, the rest unchanged. */
    public EpochPlan forEpoch(String configuration, NetworkState epochStart, String epochSessionTag) {
        return new EpochPlan(configuration, epochStart, seed, batchSize, shardRows, classes, secret, epochSessionTag,
                timeoutSeconds, step, encrypted, rendezvous);
    }

    /** This plan with the ranks meeting at the driver's rendezvous {@code address} ("host:port"). */
    public EpochPlan withRendezvous(String address) {
        return new EpochPlan(configurationJson, start, seed, batchSize, shardRows, classes, secret, sessionTag,
                timeoutSeconds, step, encrypted, address);
    }

    public int workers() {
        return shardRows.length;
    }
}
