package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Beyond one machine, on paper: synchronous data parallelism over N executors with a ring
 * all-reduce of the whole gradient every iteration and no overlap of communication with compute.
 *
 * <pre>
 *   T_c(b)  = t_sample * b                         compute of one iteration, per-worker batch b
 *   T_ar    = 2(N-1) * alpha + 2(N-1)/N * bytes / beta   ring: reduce-scatter + all-gather
 *   E       = T_c / (T_c + T_ar)
 *   E >= 0.8  <=>  b >= 4 * T_ar / t_sample,  global batch = N * b
 * </pre>
 *
 * t_sample is measured (one single-threaded dptrain worker, compute only); T_c is taken as
 * linear in b, which flatters small batches (fixed per-iteration costs are ignored).
 */
final class ScalingModel {

    static final double ALPHA_SECONDS = 50e-6;
    static final int[] EXECUTORS = {8, 64, 256};
    static final double[] LINK_GBITS = {10, 25, 100};
    static final int GLOBAL_BATCH = 64;
    static final double TARGET_EFFICIENCY = 0.8;

    private final double secondsPerSample;
    private final long gradientBytes;
    private final long trainRows;

    ScalingModel(double secondsPerSample, long gradientBytes, long trainRows) {
        this.secondsPerSample = secondsPerSample;
        this.gradientBytes = gradientBytes;
        this.trainRows = trainRows;
    }

    static long parameterCount() {
        long count = 0;
        for (int i = 0; i + 1 < Mlp.LAYERS.length; i++) {
            count += (long) Mlp.LAYERS[i] * Mlp.LAYERS[i + 1] + Mlp.LAYERS[i + 1];
        }
        return count;
    }

    static double allReduceSeconds(int workers, double linkGbits, long bytes) {
        if (workers == 1) {
            return 0;
        }
        double bytesPerSecond = linkGbits * 1e9 / 8;
        return 2.0 * (workers - 1) * ALPHA_SECONDS + 2.0 * (workers - 1) / workers * bytes / bytesPerSecond;
    }

    double efficiency(int workers, double linkGbits, double perWorkerBatch) {
        double compute = secondsPerSample * perWorkerBatch;
        return compute / (compute + allReduceSeconds(workers, linkGbits, gradientBytes));
    }

    /** Smallest per-worker batch (rounded up to a whole row) with efficiency >= 80%. */
    long perWorkerBatchFor80(int workers, double linkGbits) {
        double tar = allReduceSeconds(workers, linkGbits, gradientBytes);
        return (long) Math.ceil(TARGET_EFFICIENCY / (1 - TARGET_EFFICIENCY) * tar / secondsPerSample);
    }

    double epochSeconds(int workers, double linkGbits, long perWorkerBatch) {
        double iterations = Math.ceil((double) trainRows / (workers * perWorkerBatch));
        return iterations * (secondsPerSample * perWorkerBatch + allReduceSeconds(workers, linkGbits, gradientBytes));
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Assumptions: alpha = %.0f us per ring step, gradient = %d parameters x 4 bytes ="
                        + " %.3f MB, measured compute t_sample = %.2f us per sample (one single-threaded worker),"
                        + " no overlap of compute and communication, T_c linear in the per-worker batch.%n%n",
                ALPHA_SECONDS * 1e6, gradientBytes / 4, gradientBytes / 1e6, secondsPerSample * 1e6));
        out.append("| executors N | link | T_ar per iteration | T_c at global batch 64 (b = 64/N) | efficiency at"
                + " global 64 | per-worker batch for >= 80% | global batch for >= 80% | epoch at that batch |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (int workers : EXECUTORS) {
            for (double link : LINK_GBITS) {
                double perWorker = (double) GLOBAL_BATCH / workers;
                String atGlobal64 = perWorker < 1 ? "n/a (N > 64)"
                        : String.format("%.0f%%", 100 * efficiency(workers, link, perWorker));
                String compute64 = perWorker < 1 ? "n/a" : Report.milliseconds(secondsPerSample * perWorker);
                long b = perWorkerBatchFor80(workers, link);
                out.append(String.format("| %d | %.0f Gb/s | %s | %s | %s | %d | %d | %.2f s |%n", workers, link,
                        Report.milliseconds(allReduceSeconds(workers, link, gradientBytes)), compute64, atGlobal64, b,
                        b * workers, epochSeconds(workers, link, b)));
            }
        }
        return out.toString();
    }

    ObjectNode toJson() {
        ObjectNode node = ResultFile.create().put("alpha_seconds", ALPHA_SECONDS)
                .put("gradient_bytes", gradientBytes).put("seconds_per_sample", secondsPerSample);
        ArrayNode rows = node.putArray("cases");
        for (int workers : EXECUTORS) {
            for (double link : LINK_GBITS) {
                double perWorker = (double) GLOBAL_BATCH / workers;
                long b = perWorkerBatchFor80(workers, link);
                ObjectNode row = rows.addObject().put("executors", workers).put("link_gbits", link)
                        .put("allreduce_seconds", allReduceSeconds(workers, link, gradientBytes))
                        .put("per_worker_batch_for_80", b).put("global_batch_for_80", b * workers)
                        .put("epoch_seconds_at_that_batch", epochSeconds(workers, link, b));
                Measurement.putNumber(row, "efficiency_at_global_64",
                        perWorker < 1 ? Double.NaN : efficiency(workers, link, perWorker));
            }
        }
        return node;
    }
}
