package dptrain.driver.engine;

import dptrain.worker.task.EpochReport;
import java.util.List;

/**
 * How much of an epoch the slowest rank spent in the all-reduce, and how much of that it spent
 * waiting for the last rank to arrive. Every rank makes the same all-reduce calls; the rank that
 * arrives last at a call waits for no one to arrive, so its time in that call is the all-reduce
 * proper (moving and adding the bytes with every rank present), and any rank's time beyond it
 * is waiting: for a rank that computed longer or that the OS held back (on a cluster, a
 * straggler), which a faster network would not shorten.
 *
 * @param total   the slowest rank's time in the all-reduce over its time in compute and all-reduce
 * @param waiting the part of {@code total} spent waiting for the last rank to arrive
 */
public record AllReduceShares(double total, double waiting) {

    public static AllReduceShares of(List<EpochReport> reports) {
        double movingMicros = movingMicros(reports);
        EpochReport slowest = null;
        double total = 0;
        for (EpochReport report : reports) {
            double share = share(report, report.allReduceNanos());
            if (slowest == null || share > total) {
                slowest = report;
                total = share;
            }
        }
        if (slowest == null) {
            return new AllReduceShares(0, 0);
        }
        return new AllReduceShares(total, share(slowest, Math.max(0, slowest.allReduceNanos() - movingMicros * 1e3)));
    }

    /**
     * The all-reduce proper of an epoch, in microseconds: call by call, the time of the rank that
     * arrived last (the shortest time in the call); what any rank spent beyond it, it spent waiting.
     */
    static double movingMicros(List<EpochReport> reports) {
        int calls = reports.stream().mapToInt(report -> report.allReduceMicros().length).min().orElse(0);
        double micros = 0;
        for (int call = 0; call < calls; call++) {
            float last = Float.POSITIVE_INFINITY;
            for (EpochReport report : reports) {
                last = Math.min(last, report.allReduceMicros()[call]);
            }
            micros += last;
        }
        return micros;
    }

    private static double share(EpochReport report, double nanos) {
        double epoch = report.computeNanos() + report.allReduceNanos();
        return epoch == 0 ? 0 : nanos / epoch;
    }
}
