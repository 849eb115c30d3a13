package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.worker.task.EpochReport;
import dptrain.worker.task.EpochStatistics;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllReduceSharesTest {

    private static EpochReport report(int rank, long computeMicros, float... callMicros) {
        double allReduce = 0;
        for (float call : callMicros) {
            allReduce += call;
        }
        return new EpochReport(rank, null, 0, 0, 0, callMicros.length, computeMicros * 1000,
                Math.round(allReduce * 1000), callMicros, EpochStatistics.none(), "exec-" + rank, "host-" + rank);
    }

    @Test
    void eachCallMovesBytesForAsLongAsItsLastArrivalSpentInIt() {
        // rank 0 arrives last at the second call, rank 1 at the first: 10 + 20 us moving bytes
        AllReduceShares shares = AllReduceShares.of(List.of(report(0, 900, 10, 90), report(1, 920, 60, 20)));

        assertEquals(0.1, shares.total(), 1e-9, "rank 0: 100 of 1000 us");
        assertEquals(0.07, shares.waiting(), 1e-9, "rank 0 waited 70 of its 100 us");
    }

    @Test
    void eachRanksWaitIsItsAllReduceTimeBeyondTheLastArrivals() {
        List<RankTimes> ranks = RankTimes.of(List.of(report(0, 900, 10, 90), report(1, 920, 60, 20)));

        assertEquals(List.of(new RankTimes(0, "exec-0", "host-0", 900e-6, 100e-6, 70e-6),
                new RankTimes(1, "exec-1", "host-1", 920e-6, 80e-6, 50e-6)), ranks.stream()
                .map(AllReduceSharesTest::rounded).toList());
    }

    @Test
    void oneRankWaitsForNoOne() {
        AllReduceShares shares = AllReduceShares.of(List.of(report(0, 750, 100, 150)));

        assertEquals(0.25, shares.total(), 1e-9);
        assertEquals(0, shares.waiting(), 1e-12);
        assertEquals(0, RankTimes.of(List.of(report(0, 750, 100, 150))).get(0).allReduceWaitSeconds(), 1e-12);
    }

    /** To the nanosecond, the reports' unit. */
    private static RankTimes rounded(RankTimes times) {
        return new RankTimes(times.rank(), times.executor(), times.host(), nanos(times.computeSeconds()),
                nanos(times.allReduceSeconds()), nanos(times.allReduceWaitSeconds()));
    }

    private static double nanos(double seconds) {
        return Math.round(seconds * 1e9) / 1e9;
    }
}
