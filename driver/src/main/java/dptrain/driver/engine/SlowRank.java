package dptrain.driver.engine;

import java.util.Locale;

/**
 * A rank that {@link SlowRankRule} found persistently slower than the others, and where it ran:
 * what a user needs to go and look at that executor.
 *
 * @param rank       the rank
 * @param executor   the Spark executor it last ran on ({@code null} when not known)
 * @param host       that executor's host ({@code null} when not known)
 * @param ratio      its compute time over the median of the other ranks', the mean over the epochs
 *                   of the window in which it was slow
 * @param slowEpochs in how many epochs of the window it was slow
 * @param window     how many epochs the window holds (at most {@link SlowRankRule#WINDOW})
 */
public record SlowRank(int rank, String executor, String host, double ratio, int slowEpochs, int window) {

    /**
     * The line the console and {@code report.html} show, for example
     * {@code slow rank: 1 (executor 2 on 10.0.0.7) computes 1.8x the others' median in 3 of the last 3 epochs}.
     */
    public String line() {
        String where = executor == null && host == null ? ""
                : " (executor " + (executor == null ? "?" : executor) + " on " + (host == null ? "?" : host) + ")";
        return String.format(Locale.ROOT, "slow rank: %d%s computes %.1fx the others' median in %d of the last %d epochs",
                rank, where, ratio, slowEpochs, window);
    }
}
