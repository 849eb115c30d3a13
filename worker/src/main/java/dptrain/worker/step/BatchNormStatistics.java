package dptrain.worker.step;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Makes the running mean and variance of batch-normalisation layers come out as if one process
 * had seen the whole global batch, and identical on every rank.
 *
 * <p>Why this is needed: DL4J (1.0.0-M2) keeps a BN layer's running statistics as parameters
 * with a no-op updater, and its backward pass writes not a gradient but the update itself into
 * the gradient view, {@code (1-d) * (mean_t - batchMean)} for the mean and
 * {@code log10(std_t) - log10(std_t+1)} with {@code var_t+1 = d * var_t + (1-d) * batchVar} for the
 * log-standard-deviation (or {@code (1-d) * (var_t - batchVar)} with {@code useLogStd=false}).
 * The updater neither divides these entries by the batch size nor changes them. A plain sum of
 * the ranks' views would therefore apply W updates instead of one, and even a mean of them would
 * miss the spread between the ranks' part means, so the global variance would be too small.
 *
 * <p>What this does: before the all-reduce, each rank turns its update back into the moments of
 * its part ({@code batchMean} and {@code batchVar}, recovered exactly from the update and the
 * current statistics, which are the same on every rank) and puts the row-weighted sums
 * {@code n * batchMean} and {@code n * (batchVar + batchMean^2)} in their place. After the sum,
 * {@code mu = S1/N} and {@code var = S2/N - mu^2} are the mean and (biased) variance of the whole
 * global batch, from which the DL4J update is rebuilt. For convolutional BN the moments are over
 * examples and positions; every example has the same number of positions, so weighting by rows
 * is still exact. Everything else about BN under data parallelism stays as in DL4J with local
 * batches: in training mode each rank normalises its own part with its part's moments
 * ("ghost batch norm", as in PyTorch DDP without SyncBatchNorm), so the gradients of the other
 * parameters differ from single-process training on the whole batch.
 */
final class BatchNormStatistics {

    /** One BN layer: where its statistics sit in the flattened parameter (= gradient) vector. */
    private record Statistics(int mean, int spread, int length, double decay, boolean logStd) {
    }

    private final List<Statistics> layers;

    private BatchNormStatistics(List<Statistics> layers) {
        this.layers = layers;
    }

    /** The BN layers of {@code net} (an initialised network); empty if it has none. */
    static BatchNormStatistics of(Network net) {
        List<Statistics> found = new ArrayList<>();
        long base = net.params().offset();
        for (Layer layer : net.layers()) {
            if (layer.conf() == null || !(layer.conf().getLayer() instanceof BatchNormalization conf)) {
                continue;
            }
            INDArray mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            INDArray spread = conf.isUseLogStd()
                    ? layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                    : layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
            found.add(new Statistics(Math.toIntExact(mean.offset() - base), Math.toIntExact(spread.offset() - base),
                    Math.toIntExact(mean.length()), conf.getDecay(), conf.isUseLogStd()));
        }
        return new BatchNormStatistics(List.copyOf(found));
    }

    boolean isEmpty() {
        return layers.isEmpty();
    }

    /**
     * Replaces this rank's statistics updates in {@code exchange} by its row-weighted moments.
     *
     * @param params the flattened parameters (the statistics at this iteration, equal on all ranks)
     * @param rows   rows of this rank's part, at least 1
     */
    void updatesToMoments(float[] exchange, FloatBuffer params, int rows) {
        for (Statistics s : layers) {
            double keep = 1 - s.decay();
            if (keep == 0) {
                continue; // decay 1: the statistics never move, every update is 0 and sums to 0
            }
            for (int j = 0; j < s.length(); j++) {
                double runningMean = params.get(s.mean() + j);
                double runningVariance = variance(s, params.get(s.spread() + j));
                double batchMean = runningMean - exchange[s.mean() + j] / keep;
                double nextVariance = s.logStd()
                        ? runningVariance * Math.pow(10, -2.0 * exchange[s.spread() + j])
                        : runningVariance - exchange[s.spread() + j];
                double batchVariance = (nextVariance - s.decay() * runningVariance) / keep;
                exchange[s.mean() + j] = (float) (rows * batchMean);
                exchange[s.spread() + j] = (float) (rows * (batchVariance + batchMean * batchMean));
            }
        }
    }

    /**
     * Replaces the summed moments in {@code exchange} by the update DL4J would have computed on the
     * whole global batch of {@code globalRows} rows.
     */
    void momentsToUpdates(float[] exchange, FloatBuffer params, int globalRows) {
        for (Statistics s : layers) {
            double keep = 1 - s.decay();
            if (keep == 0) {
                continue;
            }
            for (int j = 0; j < s.length(); j++) {
                double runningMean = params.get(s.mean() + j);
                double runningVariance = variance(s, params.get(s.spread() + j));
                double mean = exchange[s.mean() + j] / (double) globalRows;
                double variance = Math.max(0, exchange[s.spread() + j] / (double) globalRows - mean * mean);
                double nextVariance = s.decay() * runningVariance + keep * variance;
                exchange[s.mean() + j] = (float) (keep * (runningMean - mean));
                exchange[s.spread() + j] = (float) (s.logStd()
                        ? 0.5 * Math.log10(runningVariance / nextVariance)
                        : runningVariance - nextVariance);
            }
        }
    }

    /** The running variance a statistics entry stands for: {@code (10^log10std)^2}, or the variance itself. */
    private static double variance(Statistics s, float value) {
        return s.logStd() ? Math.pow(10, 2.0 * value) : value;
    }
}
