package dptrain.worker.step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What one rank watches while it trains (every rank watches alike; rank 0 reports): the global L2 norm
 * of the averaged gradient per iteration, per layer the ratio ||update|| / ||parameters||, and a
 * probe (iteration, mean loss of the global batch, learning rate) every {@code probeEvery}
 * iterations. Norms are taken over Java arrays where the step keeps them (the fused update), else
 * as ND4J reductions on views made once, so watching allocates no vector; update ratios are
 * sampled every {@value #RATIO_EVERY} iterations.
 */
public final class StepStatistics {

    /**
     * Iterations between update-ratio samples. Two norms per layer are cheap next to an iteration,
     * but sampling keeps watching well under 1% of the step time even for tiny networks.
     */
    static final int RATIO_EVERY = 10;

    private final int probeEvery;
    private double gradientNormSum;
    private double gradientNormMax = Double.NaN;
    private int gradientNorms;
    private String[] layerNames;
    private INDArray[] parameterViews;
    private INDArray[] updateViews;
    /** Each layer's {@code [from, to)} in the flattened parameter (and gradient) vector. */
    private int[][] layerRanges;
    private double[] ratioSums;
    private int[] ratioCounts;
    private final List<Integer> probeIterations = new ArrayList<>();
    private final List<Double> probeLoss = new ArrayList<>();
    private final List<Double> probeLearningRate = new ArrayList<>();

    /** @param probeEvery iterations between probes; 0 for none */
    public StepStatistics(int probeEvery) {
        if (probeEvery < 0) {
            throw new IllegalArgumentException("probeEvery must be >= 0, got " + probeEvery);
        }
        this.probeEvery = probeEvery;
    }

    void gradientNorm(double norm) {
        gradientNormSum += norm;
        gradientNormMax = gradientNorms == 0 ? norm : Math.max(gradientNormMax, norm);
        gradientNorms++;
    }

    /** Each layer's parameter norm, taken before the step: the denominators of {@link #updateRatios}. */
    double[] parameterNorms(Network net) {
        if (layerNames == null) {
            layerViews(net);
        }
        double[] norms = new double[layerNames.length];
        for (int layer = 0; layer < norms.length; layer++) {
            norms[layer] = parameterViews[layer].norm2Number().doubleValue();
        }
        return norms;
    }

    /**
     * {@link #parameterNorms(Network)} from the parameters as a Java array in the network's
     * flattened order (the fused step's copy): no native op, nothing allocated but the result.
     */
    double[] parameterNorms(Network net, float[] params) {
        if (layerNames == null) {
            layerViews(net);
        }
        return norms(params);
    }

    /**
     * Called once the gradient view holds the step's update (before or after the parameters moved):
     * adds each layer's {@code ||update|| / ||parameters before the step||}.
     */
    void updateRatios(Network net, double[] parameterNorms) {
        double[] updateNorms = new double[layerNames.length];
        for (int layer = 0; layer < updateNorms.length; layer++) {
            updateNorms[layer] = updateViews[layer].norm2Number().doubleValue();
        }
        addRatios(updateNorms, parameterNorms);
    }

    /** {@link #updateRatios(Network, double[])} from the updates as a Java array in the flattened order. */
    void updateRatios(float[] updates, double[] parameterNorms) {
        addRatios(norms(updates), parameterNorms);
    }

    private double[] norms(float[] flattened) {
        double[] norms = new double[layerNames.length];
        for (int layer = 0; layer < norms.length; layer++) {
            int[] range = layerRanges[layer];
            norms[layer] = Math.sqrt(SumOfSquares.of(flattened, range[0], range[1]));
        }
        return norms;
    }

    private void addRatios(double[] updateNorms, double[] parameterNorms) {
        for (int layer = 0; layer < layerNames.length; layer++) {
            if (parameterNorms[layer] > 0) {
                ratioSums[layer] += updateNorms[layer] / parameterNorms[layer];
                ratioCounts[layer]++;
            }
        }
    }

    boolean ratioDue(int iteration) {
        return iteration % RATIO_EVERY == 0;
    }

    boolean probeDue(int iteration) {
        return probeEvery > 0 && (iteration + 1) % probeEvery == 0;
    }

    void probe(int iteration, double meanLoss, double learningRate) {
        probeIterations.add(iteration);
        probeLoss.add(meanLoss);
        probeLearningRate.add(learningRate);
    }

    /**
     * Each layer's parameters are one contiguous range of the flattened parameter vector (and the
     * gradient view has the same layout); the range is read off the offsets of the param table's
     * views. Layer names are the prefixes of the param keys ({@code 0_W} → {@code 0}).
     */
    private void layerViews(Network net) {
        INDArray params = net.params();
        INDArray gradients = net.flattenedGradients();
        Map<String, long[]> ranges = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> entry : net.model().paramTable().entrySet()) {
            String key = entry.getKey();
            String layer = key.substring(0, Math.max(0, key.lastIndexOf('_')));
            long from = entry.getValue().offset() - params.offset();
            long to = from + entry.getValue().length();
            ranges.merge(layer, new long[] {from, to},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        int layers = ranges.size();
        layerNames = ranges.keySet().toArray(String[]::new);
        parameterViews = new INDArray[layers];
        updateViews = new INDArray[layers];
        layerRanges = new int[layers][];
        ratioSums = new double[layers];
        ratioCounts = new int[layers];
        int i = 0;
        for (long[] range : ranges.values()) {
            parameterViews[i] = params.get(NDArrayIndex.point(0), NDArrayIndex.interval(range[0], range[1]));
            updateViews[i] = gradients.get(NDArrayIndex.point(0), NDArrayIndex.interval(range[0], range[1]));
            layerRanges[i] = new int[] {Math.toIntExact(range[0]), Math.toIntExact(range[1])};
            i++;
        }
    }

    public double gradientNormMean() {
        return gradientNorms == 0 ? Double.NaN : gradientNormSum / gradientNorms;
    }

    public double gradientNormMax() {
        return gradientNormMax;
    }

    public String[] layerNames() {
        return layerNames == null ? new String[0] : layerNames.clone();
    }

    public double[] updateRatioMean() {
        if (layerNames == null) {
            return new double[0];
        }
        double[] means = new double[layerNames.length];
        for (int i = 0; i < means.length; i++) {
            means[i] = ratioCounts[i] == 0 ? Double.NaN : ratioSums[i] / ratioCounts[i];
        }
        return means;
    }

    public int[] probeIterations() {
        return probeIterations.stream().mapToInt(Integer::intValue).toArray();
    }

    public double[] probeLoss() {
        return probeLoss.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public double[] probeLearningRate() {
        return probeLearningRate.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
