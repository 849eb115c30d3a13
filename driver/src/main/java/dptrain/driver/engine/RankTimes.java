package dptrain.driver.engine;

import dptrain.worker.task.EpochReport;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one rank's epoch went, and where the rank ran: the numbers that show a straggler. A rank
 * that computes longer than the others makes them wait at the next all-reduce, so a slow rank
 * shows as its own compute time and as the others' waiting.
 *
 * @param rank                 the rank
 * @param executor             the Spark executor it ran on ({@code null} when not known)
 * @param host                 that executor's host ({@code null} when not known)
 * @param computeSeconds       time in forward, backward and update (everything but the all-reduce)
 * @param allReduceSeconds     time inside the all-reduce calls
 * @param allReduceWaitSeconds the part of {@code allReduceSeconds} spent waiting for the last rank
 *                             to arrive (see {@link AllReduceShares})
 */
public record RankTimes(int rank, String executor, String host, double computeSeconds, double allReduceSeconds,
                        double allReduceWaitSeconds) {

    /** One entry per report, in the reports' order. */
    public static List<RankTimes> of(List<EpochReport> reports) {
        double movingNanos = AllReduceShares.movingMicros(reports) * 1e3;
        List<RankTimes> ranks = new ArrayList<>(reports.size());
        for (EpochReport report : reports) {
            ranks.add(new RankTimes(report.rank(), report.executor(), report.host(), report.computeNanos() / 1e9,
                    report.allReduceNanos() / 1e9, Math.max(0, report.allReduceNanos() - movingNanos) / 1e9));
        }
        return List.copyOf(ranks);
    }
}
