package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The slow-rank rule on scripted epochs: each rank's compute seconds, epoch after epoch. */
class SlowRankRuleTest {

    /** What the rule names after each epoch of {@code epochs} (each row: compute seconds by rank). */
    private static List<Optional<SlowRank>> named(double[]... epochs) {
        return named(0.5, epochs);
    }

    /** As above, with every rank {@code allReduceSeconds} in the all-reduce. */
    private static List<Optional<SlowRank>> named(double allReduceSeconds, double[]... epochs) {
        SlowRankRule rule = new SlowRankRule();
        List<Optional<SlowRank>> named = new ArrayList<>();
        for (double[] compute : epochs) {
            List<RankTimes> ranks = new ArrayList<>();
            for (int rank = 0; rank < compute.length; rank++) {
                ranks.add(new RankTimes(rank, String.valueOf(rank + 1), "10.0.0." + (rank + 1), compute[rank],
                        allReduceSeconds, 0.1));
            }
            named.add(rule.afterEpoch(ranks));
        }
        return named;
    }

    private static Optional<SlowRank> slow(int rank, double ratio, int slowEpochs, int window) {
        return Optional.of(new SlowRank(rank, String.valueOf(rank + 1), "10.0.0." + (rank + 1), ratio, slowEpochs,
                window));
    }

    @Test
    void aRankSlowInTwoOfTheLastThreeEpochsIsNamedFromTheSecondOn() {
        List<Optional<SlowRank>> named = named(
                new double[] {1.0, 1.8, 1.0, 1.0},
                new double[] {1.0, 2.0, 1.1, 0.9},
                new double[] {1.0, 2.2, 1.0, 1.0});

        assertEquals(List.of(Optional.empty(), slow(1, 1.9, 2, 2), slow(1, 2.0, 3, 3)), rounded(named));
        assertEquals("slow rank: 1 (executor 2 on 10.0.0.2) computes 2.0x the others' median in 3 of the last 3 epochs",
                named.get(2).orElseThrow().line());
    }

    @Test
    void oneRankHasNoOthersAndIsNeverNamed() {
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty()),
                named(new double[] {5}, new double[] {9}, new double[] {7}));
    }

    @Test
    void withTwoRanksEachIsComparedWithTheOther() {
        List<Optional<SlowRank>> named = named(new double[] {3.0, 2.0}, new double[] {3.0, 2.0});

        assertEquals(List.of(Optional.empty(), slow(0, 1.5, 2, 2)), rounded(named));
    }

    @Test
    void exactlyTwentyPercentSlowerOrEqualTimesAreNotSlow() {
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty()),
                named(new double[] {1.0, 1.2}, new double[] {2.0, 2.0}, new double[] {1.0, 1.2}));
    }

    @Test
    void millisecondsOfNoiseInAShortEpochNameNoOne() {
        // twice the other's compute, but 5 ms more in a 410 ms epoch: 1.2% of it
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty()), named(0.4,
                new double[] {0.005, 0.010}, new double[] {0.005, 0.010}, new double[] {0.005, 0.010}));
        // 25 ms more in a 450 ms epoch: 5.6%, named
        assertEquals(slow(1, 2.0, 2, 2), rounded(named(0.4, new double[] {0.025, 0.050},
                new double[] {0.025, 0.050})).get(1));
    }

    @Test
    void ofTwoRanksEquallySlowTheLowerIsNamed() {
        // each of ranks 2 and 3 computes 2x the median of the others (1, 1, 2)
        List<Optional<SlowRank>> named = named(new double[] {1, 1, 2, 2}, new double[] {1, 1, 2, 2});

        assertEquals(List.of(Optional.empty(), slow(2, 2.0, 2, 2)), rounded(named));
    }

    @Test
    void aRankSlowInMoreEpochsOfTheWindowIsNamedBeforeAFasterOne() {
        List<Optional<SlowRank>> named = named(
                new double[] {1, 1.5, 1, 1, 1},
                new double[] {1, 1.5, 3, 1, 1},
                new double[] {1, 1.5, 3, 1, 1});

        assertEquals(slow(1, 1.5, 3, 3), rounded(named).get(2));
    }

    @Test
    void aRankThatRecoversIsNoLongerNamedOnceTwoOfTheLastThreeEpochsWereNormal() {
        List<Optional<SlowRank>> named = named(
                new double[] {1.0, 2.0},
                new double[] {1.0, 2.0},
                new double[] {1.0, 1.0},
                new double[] {1.0, 1.0});

        assertEquals(List.of(Optional.empty(), slow(1, 2.0, 2, 2), slow(1, 2.0, 2, 3), Optional.empty()),
                rounded(named));
    }

    @Test
    void theLineLeavesOutWhereARankRanWhenNoSparkTaskSaid() {
        assertEquals("slow rank: 3 computes 1.3x the others' median in 2 of the last 3 epochs",
                new SlowRank(3, null, null, 1.25, 2, 3).line());
    }

    /** Ratios to 1e-9, so that the expected ones can be written as decimals. */
    private static List<Optional<SlowRank>> rounded(List<Optional<SlowRank>> named) {
        return named.stream().map(slow -> slow.map(s -> new SlowRank(s.rank(), s.executor(), s.host(),
                Math.round(s.ratio() * 1e9) / 1e9, s.slowEpochs(), s.window()))).toList();
    }
}
