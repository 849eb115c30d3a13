package dptrain.worker.task;

import dptrain.worker.step.NetworkState;
import java.io.Serializable;

/**
 * What one rank reports at the end of an epoch.
 *
 * @param rank                the rank
 * @param end                 the state after the epoch (rank 0 only, {@code null} elsewhere: all
 *                            ranks hold the same state, one copy is enough)
 * @param paramsFingerprint   fingerprint of this rank's final parameters, to prove ranks agree
 * @param lossSum             data loss summed over every row of the epoch (all ranks)
 * @param rows                rows of the epoch (all ranks)
 * @param iterations          iterations run
 * @param computeNanos        time in forward, backward and updater on this rank
 * @param allReduceNanos      time in the all-reduce on this rank
 * @param allReduceMicros     the time of each all-reduce call on this rank, in call order (microseconds):
 *                            every rank makes the same calls, so the driver can tell waiting for the
 *                            last rank to arrive from moving the bytes
 * @param statistics          what rank 0 watched (gradient norms, update ratios, probes);
 *                            {@link EpochStatistics#none()} on other ranks
 * @param executor            the Spark executor the rank ran on, so that a slow rank can be found on
 *                            the cluster; {@code null} where no Spark task ran it (ranks as threads)
 * @param host                that executor's host, or {@code null} likewise
 */
public record EpochReport(int rank, NetworkState end, long paramsFingerprint, double lossSum, long rows,
                          int iterations, long computeNanos, long allReduceNanos, float[] allReduceMicros,
                          EpochStatistics statistics, String executor, String host) implements Serializable {

    /** This report, saying which executor on which host ran the rank. */
    public EpochReport ranOn(String executor, String host) {
        return new EpochReport(rank, end, paramsFingerprint, lossSum, rows, iterations, computeNanos, allReduceNanos,
                allReduceMicros, statistics, executor, host);
    }
}
