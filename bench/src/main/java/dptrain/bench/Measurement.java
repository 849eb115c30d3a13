package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One system's numbers from one run.
 *
 * @param id               short name of the variant ({@code dptrain-w2-omp1}, ...)
 * @param system           the row it belongs to in the comparison table
 * @param config           how it was set up, in words
 * @param threads          the thread setting it ran with
 * @param epochSeconds     training time of each epoch (evaluation excluded)
 * @param testAccuracy     test accuracy after each epoch (same length as epochSeconds, or empty)
 * @param allReduceShares  dptrain only: per epoch, the slowest rank's share of time in the all-reduce
 * @param allReduceWaitShares dptrain only: per epoch, the part of that share spent waiting for the last
 *                         rank to arrive
 * @param trainRows        training rows per epoch
 * @param totalSeconds     systems without epochs (MLlib): training time; else the sum of epochs
 * @param finalAccuracy    test accuracy at the end
 * @param outcome          what the process watcher saw (null for rows that did not run)
 * @param status           "ok", or why there are no numbers
 * @param notes            anything a reader of the row must know
 */
record Measurement(String id, String system, String config, String threads, List<Double> epochSeconds,
                   List<Double> testAccuracy, List<Double> allReduceShares, List<Double> allReduceWaitShares,
                   long trainRows, double totalSeconds, double finalAccuracy, ChildProcess.Outcome outcome, String status, String notes) {

    static final double TARGET_ACCURACY = 0.88;

    static Measurement notAvailable(String id, String system, String why) {
        return new Measurement(id, system, "-", "-", List.of(), List.of(), List.of(), List.of(), 0, Double.NaN,
                Double.NaN, null, "not available", why);
    }

    boolean ok() {
        return status.equals("ok");
    }

    /** Median epoch time, leaving out the first (warm-up) epoch when there is more than one. */
    double medianEpochSeconds() {
        return median(afterWarmUp(epochSeconds));
    }

    double samplesPerSecond() {
        return trainRows / medianEpochSeconds();
    }

    double medianAllReduceShare() {
        return median(afterWarmUp(allReduceShares));
    }

    double medianAllReduceWaitShare() {
        return median(afterWarmUp(allReduceWaitShares));
    }

    /** Epochs 2.. when there is more than one (epoch 1 is the warm-up). */
    private static List<Double> afterWarmUp(List<Double> perEpoch) {
        return perEpoch.size() > 1 ? perEpoch.subList(1, perEpoch.size()) : perEpoch;
    }

    /** Epoch (1-based) that first reached the target, or -1. */
    int epochReachingTarget() {
        for (int i = 0; i < testAccuracy.size(); i++) {
            if (testAccuracy.get(i) >= TARGET_ACCURACY) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Training seconds (all epochs up to and including it, warm-up included) to reach the target. */
    double secondsToTarget() {
        int epoch = epochReachingTarget();
        if (epoch < 0) {
            return Double.NaN;
        }
        return epochSeconds.subList(0, epoch).stream().mapToDouble(Double::doubleValue).sum();
    }

    int bestEpoch() {
        int best = 0;
        for (int i = 1; i < testAccuracy.size(); i++) {
            if (testAccuracy.get(i) > testAccuracy.get(best)) {
                best = i;
            }
        }
        return best + 1;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    ObjectNode toJson() {
        ObjectNode node = ResultFile.create().put("id", id).put("system", system).put("config", config)
                .put("threads", threads).put("status", status).put("notes", notes);
        if (!ok()) {
            return node;
        }
        ArrayNode seconds = node.putArray("epoch_seconds");
        epochSeconds.forEach(seconds::add);
        ArrayNode accuracy = node.putArray("test_accuracy");
        testAccuracy.forEach(accuracy::add);
        if (!allReduceShares.isEmpty()) {
            ArrayNode shares = node.putArray("allreduce_share");
            allReduceShares.forEach(shares::add);
            putNumber(node, "median_allreduce_share", medianAllReduceShare());
            ArrayNode waits = node.putArray("allreduce_wait_share");
            allReduceWaitShares.forEach(waits::add);
            putNumber(node, "median_allreduce_wait_share", medianAllReduceWaitShare());
        }
        node.put("train_rows", trainRows);
        putNumber(node, "median_epoch_seconds", medianEpochSeconds());
        putNumber(node, "samples_per_second", samplesPerSecond());
        putNumber(node, "total_training_seconds", totalSeconds);
        putNumber(node, "final_test_accuracy", finalAccuracy);
        node.put("epoch_reaching_" + TARGET_ACCURACY, epochReachingTarget());
        putNumber(node, "seconds_to_" + TARGET_ACCURACY, secondsToTarget());
        if (outcome != null) {
            node.put("exit_code", outcome.exitCode());
            node.put("wall_seconds", outcome.wallSeconds());
            node.put("peak_rss_bytes", outcome.peakRssBytes());
            node.put("cpu_seconds", outcome.cpuSeconds());
            node.put("other_cpu_cores", outcome.otherCpuCores());
        }
        return node;
    }

    static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }
}
