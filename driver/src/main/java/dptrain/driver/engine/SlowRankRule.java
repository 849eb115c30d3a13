package dptrain.driver.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When a rank is persistently slower than the others: the one rule behind the console's and the
 * report's {@code slow rank} line.
 *
 * <p>In an epoch, a rank is <b>slow</b> when its compute time exceeds the median of the other
 * ranks' compute times by more than 20% ({@link #SLOWER_THAN}) and by at least 5% of its epoch
 * time, compute plus all-reduce ({@link #MIN_EPOCH_SHARE}). Compute time, not epoch time: in a
 * synchronous all-reduce every rank's epoch lasts as long as the slowest one's, and the others
 * spend the difference waiting. The second condition keeps milliseconds of noise in a short
 * epoch (a 5 ms pass against a 10 ms one in a 400 ms epoch) from naming anyone: a rank is named
 * only when it costs the run a noticeable part of its time. A rank is <b>named</b> after an epoch when it was slow in at least
 * {@link #SLOW_EPOCHS} of the last {@link #WINDOW} epochs of this run (one slow epoch is noise: a
 * garbage collection, a neighbour on the host). With one rank there are no others and nothing is
 * named. When several ranks qualify, the one slow in more epochs of the window is named, then the
 * one with the larger mean ratio, then the lower rank. A rank that recovers is no longer named once
 * fewer than {@link #SLOW_EPOCHS} of the window's epochs were slow.
 */
public final class SlowRankRule {

    /** Slow: compute time above this factor times the median of the others'. */
    public static final double SLOWER_THAN = 1.2;
    /** Slow: and more compute than the others' median by at least this share of its epoch time. */
    public static final double MIN_EPOCH_SHARE = 0.05;
    /** The epochs looked at: the last ones of this run. */
    public static final int WINDOW = 3;
    /** Slow epochs within the window that name a rank. */
    public static final int SLOW_EPOCHS = 2;

    /** Per epoch of the window, oldest first: each slow rank's ratio to the others' median. */
    private final Deque<Map<Integer, Double>> ratios = new ArrayDeque<>();
    private final Map<Integer, RankTimes> lastSeen = new HashMap<>();

    /** Takes an epoch's times; returns the rank to name after it, if any. */
    public Optional<SlowRank> afterEpoch(List<RankTimes> ranks) {
        Map<Integer, Double> epoch = new HashMap<>();
        for (RankTimes rank : ranks) {
            double median = medianOfOthers(ranks, rank);
            double epochSeconds = rank.computeSeconds() + rank.allReduceSeconds();
            if (median > 0 && rank.computeSeconds() > SLOWER_THAN * median
                    && rank.computeSeconds() - median >= MIN_EPOCH_SHARE * epochSeconds) {
                epoch.put(rank.rank(), rank.computeSeconds() / median);
            }
            lastSeen.put(rank.rank(), rank);
        }
        ratios.addLast(epoch);
        if (ratios.size() > WINDOW) {
            ratios.removeFirst();
        }
        SlowRank named = null;
        for (int rank : lastSeen.keySet()) {
            int slow = 0;
            double sum = 0;
            for (Map<Integer, Double> past : ratios) {
                Double ratio = past.get(rank);
                if (ratio != null) {
                    slow++;
                    sum += ratio;
                }
            }
            if (slow >= SLOW_EPOCHS) {
                RankTimes where = lastSeen.get(rank);
                SlowRank candidate = new SlowRank(rank, where.executor(), where.host(), sum / slow, slow,
                        ratios.size());
                if (named == null || before(candidate, named)) {
                    named = candidate;
                }
            }
        }
        return Optional.ofNullable(named);
    }

    private static boolean before(SlowRank a, SlowRank b) {
        if (a.slowEpochs() != b.slowEpochs()) {
            return a.slowEpochs() > b.slowEpochs();
        }
        if (a.ratio() != b.ratio()) {
            return a.ratio() > b.ratio();
        }
        return a.rank() < b.rank();
    }

    /** The median compute time of the ranks other than {@code rank}; 0 when there are none. */
    private static double medianOfOthers(List<RankTimes> ranks, RankTimes rank) {
        double[] others = ranks.stream().filter(other -> other.rank() != rank.rank())
                .mapToDouble(RankTimes::computeSeconds).sorted().toArray();
        if (others.length == 0) {
            return 0;
        }
        int middle = others.length / 2;
        return others.length % 2 == 1 ? others[middle] : (others[middle - 1] + others[middle]) / 2;
    }
}
