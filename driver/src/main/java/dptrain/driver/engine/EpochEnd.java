package dptrain.driver.engine;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochStatistics;
import java.util.List;
import java.util.Optional;

/**
 * An epoch, finished.
 *
 * @param epoch             1-based epoch number
 * @param epochs            epochs in the whole run
 * @param trainLoss         mean data loss over the epoch's training rows (as they were trained on)
 * @param validation        validation totals with the epoch's final parameters
 * @param learningRate      learning rate at the epoch's last iteration (scale included)
 * @param epochSeconds      wall time of the epoch's training stage (all attempts)
 * @param samplesPerSecond  training rows per second of that stage
 * @param allReduce         the largest share of a rank's epoch time spent in the all-reduce, and the
 *                          part of it spent waiting for the last rank to arrive
 * @param attempts          stage launches this epoch needed (1 = no retry, no rollback)
 * @param state             parameters, updater state and counters after the epoch
 * @param learningRateScale factor on the configured learning rate the epoch trained with
 *                          (1, halved by every rollback after a divergence)
 * @param statistics        what rank 0 watched during the epoch (gradient norms, update ratios,
 *                          periodic loss probes)
 * @param ranks             each rank's compute and all-reduce times and where it ran, in rank order
 * @param slowRank          the rank {@link SlowRankRule} names after this epoch, if any
 */
public record EpochEnd(int epoch, int epochs, double trainLoss, EvaluationTotals validation, double learningRate,
                       double epochSeconds, double samplesPerSecond, AllReduceShares allReduce, int attempts,
                       NetworkState state, double learningRateScale, EpochStatistics statistics,
                       List<RankTimes> ranks, Optional<SlowRank> slowRank) {
}
