package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Beyond one machine, on paper: synchronous data parallelism over N executors exchanging what
 * dptrain exchanges every iteration, with no overlap of communication and compute.
 *
 * <pre>
 *   T_c(b)   = t_sample * b                          compute of one iteration, per-worker batch b, G = N * b
 *   factored = layers with G (in + out) <= in * out   (dptrain's factor exchange, N >= 2)
 *   T_ex     = (N-1) alpha + (N-1)/N * 4 G sum_factored (in + out) / beta       all-gather of factors
 *            + 2(N-1) alpha + 2(N-1)/N * 4 (other parameters + 1) / beta       ring all-reduce of the rest
 *            + t_sample (G - b) sum_factored in*out / (3 sum in*out)          each rank's extra gemm
 *   E        = T_c / (T_c + T_ex);  the batch for E >= 0.8 is searched (T_ex depends on b)
 * </pre>
 *
 * t_sample is measured (one single-threaded dptrain worker, compute only); T_c is taken as
 * linear in b, which flatters small batches (fixed per-iteration costs are ignored). A layer's
 * weight-gradient product is taken as a third of its matrix work (forward, input gradient, weight
 * gradient).
 */
final class ScalingModel {

    static final double ALPHA_SECONDS = 50e-6;
    static final int[] EXECUTORS = {8, 64, 256};
    static final double[] LINK_GBITS = {10, 25, 100};
    static final int GLOBAL_BATCH = 64;
    static final double TARGET_EFFICIENCY = 0.8;

    private final double secondsPerSample;
    private final long trainRows;

    ScalingModel(double secondsPerSample, long trainRows) {
        this.secondsPerSample = secondsPerSample;
        this.trainRows = trainRows;
    }

    static long parameterCount() {
        long count = 0;
        for (int i = 0; i + 1 < Mlp.LAYERS.length; i++) {
            count += (long) Mlp.LAYERS[i] * Mlp.LAYERS[i + 1] + Mlp.LAYERS[i + 1];
        }
        return count;
    }

    private static long weights(int layer) {
        return (long) Mlp.LAYERS[layer] * Mlp.LAYERS[layer + 1];
    }

    private static boolean factored(int workers, double globalBatch, int layer) {
        return workers > 1 && globalBatch * (Mlp.LAYERS[layer] + Mlp.LAYERS[layer + 1]) <= weights(layer);
    }

    /** Communication plus the factor exchange's extra compute, per iteration, at per-worker batch {@code b}. */
    double exchangeSeconds(int workers, double linkGbits, double b) {
        if (workers == 1) {
            return 0;
        }
        double bytesPerSecond = linkGbits * 1e9 / 8;
        double global = workers * b;
        double gathered = 0;
        double reduced = 1; // the loss
        double factoredWeights = 0;
        double allWeights = 0;
        for (int layer = 0; layer + 1 < Mlp.LAYERS.length; layer++) {
            allWeights += weights(layer);
            if (factored(workers, global, layer)) {
                gathered += global * (Mlp.LAYERS[layer] + Mlp.LAYERS[layer + 1]);
                factoredWeights += weights(layer);
            } else {
                reduced += weights(layer) + Mlp.LAYERS[layer + 1];
            }
        }
        double seconds = 2.0 * (workers - 1) * ALPHA_SECONDS
                + 2.0 * (workers - 1) / workers * 4 * reduced / bytesPerSecond;
        if (gathered > 0) {
            seconds += (workers - 1) * ALPHA_SECONDS + (double) (workers - 1) / workers * 4 * gathered / bytesPerSecond
                    + secondsPerSample * (global - b) * factoredWeights / (3 * allWeights);
        }
        return seconds;
    }

    double efficiency(int workers, double linkGbits, double perWorkerBatch) {
        double compute = secondsPerSample * perWorkerBatch;
        return compute / (compute + exchangeSeconds(workers, linkGbits, perWorkerBatch));
    }

    /** Smallest per-worker batch (a whole number of rows) with efficiency >= 80%. */
    long perWorkerBatchFor80(int workers, double linkGbits) {
        long b = 1;
        while (efficiency(workers, linkGbits, b) < TARGET_EFFICIENCY) {
            b++;
        }
        return b;
    }

    double epochSeconds(int workers, double linkGbits, long perWorkerBatch) {
        double iterations = Math.ceil((double) trainRows / (workers * perWorkerBatch));
        return iterations * (secondsPerSample * perWorkerBatch + exchangeSeconds(workers, linkGbits, perWorkerBatch));
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Assumptions: alpha = %.0f us per ring step, gradient = %d parameters x 4 bytes ="
                        + " %.3f MB, the first layer (784 x 256) exchanged as factors while the global batch is at"
                        + " most 193, the second (256 x 128) while at most 85, measured compute t_sample = %.2f us"
                        + " per sample (one single-threaded worker), no overlap of compute and communication, T_c"
                        + " linear in the per-worker batch.%n%n",
                ALPHA_SECONDS * 1e6, parameterCount(), parameterCount() * 4 / 1e6, secondsPerSample * 1e6));
        out.append("| executors N | link | T_ex per iteration at global batch 64 | T_c at global batch 64 (b = 64/N) |"
                + " efficiency at"
                + " global 64 | per-worker batch for >= 80% | global batch for >= 80% | epoch at that batch |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (int workers : EXECUTORS) {
            for (double link : LINK_GBITS) {
                double perWorker = (double) GLOBAL_BATCH / workers;
                String atGlobal64 = perWorker < 1 ? "n/a (N > 64)"
                        : String.format("%.0f%%", 100 * efficiency(workers, link, perWorker));
                String compute64 = perWorker < 1 ? "n/a" : Report.milliseconds(secondsPerSample * perWorker);
                long b = perWorkerBatchFor80(workers, link);
                String exchange64 = perWorker < 1 ? "n/a" : Report.milliseconds(exchangeSeconds(workers, link, perWorker));
                out.append(String.format("| %d | %.0f Gb/s | %s | %s | %s | %d | %d | %.2f s |%n", workers, link,
                        exchange64, compute64, atGlobal64, b, b * workers, epochSeconds(workers, link, b)));
            }
        }
        return out.toString();
    }

    ObjectNode toJson() {
        ObjectNode node = ResultFile.create().put("alpha_seconds", ALPHA_SECONDS)
                .put("gradient_bytes", parameterCount() * 4).put("seconds_per_sample", secondsPerSample);
        ArrayNode rows = node.putArray("cases");
        for (int workers : EXECUTORS) {
            for (double link : LINK_GBITS) {
                double perWorker = (double) GLOBAL_BATCH / workers;
                long b = perWorkerBatchFor80(workers, link);
                ObjectNode row = rows.addObject().put("executors", workers).put("link_gbits", link)
                        .put("per_worker_batch_for_80", b).put("global_batch_for_80", b * workers)
                        .put("epoch_seconds_at_that_batch", epochSeconds(workers, link, b));
                Measurement.putNumber(row, "exchange_seconds_at_global_64",
                        perWorker < 1 ? Double.NaN : exchangeSeconds(workers, link, perWorker));
                Measurement.putNumber(row, "efficiency_at_global_64",
                        perWorker < 1 ? Double.NaN : efficiency(workers, link, perWorker));
            }
        }
        return node;
    }
}
