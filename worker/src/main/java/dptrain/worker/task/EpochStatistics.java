package dptrain.worker.task;

import java.io.Serializable;

/**
 * What rank 0 watched during an epoch, for monitoring (all ranks see the same averaged
 * gradient, so one rank's view is the job's view).
 *
 * @param gradientNormMean   mean over iterations of the global L2 norm of the averaged gradient
 * @param gradientNormMax    its maximum over iterations
 * @param layerNames         layer names (DL4J layer index or vertex name), in order
 * @param updateRatioMean    per layer, mean over iterations of ||update|| / ||parameters||
 * @param probeIterations    global iteration numbers of the periodic probes (every N iterations)
 * @param probeLoss          mean data loss of the global batch at each probe
 * @param probeLearningRate  learning rate at each probe
 */
public record EpochStatistics(double gradientNormMean, double gradientNormMax, String[] layerNames,
                              double[] updateRatioMean, int[] probeIterations, double[] probeLoss,
                              double[] probeLearningRate) implements Serializable {

    public static EpochStatistics none() {
        return new EpochStatistics(Double.NaN, Double.NaN, new String[0], new double[0], new int[0], new double[0],
                new double[0]);
    }
}
