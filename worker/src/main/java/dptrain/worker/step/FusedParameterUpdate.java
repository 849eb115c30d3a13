package dptrain.worker.step;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The update through {@link FusedUpdate}: DL4J's step in one pass over Java arrays. The parameters
 * go back to the network after every step (the next forward pass reads them); the updater state
 * stays in the fused update's arrays until {@link #storeState}. Clipping is folded into the pass
 * as a scale (norm) or a bound on the sums (value).
 */
final class FusedParameterUpdate implements ParameterUpdate {

    private final FusedUpdate fused;
    private final Network net;
    private final GradientClipping clipping;
    private final StepStatistics statistics;
    private final int length;

    /** Binds {@code fused} to {@code net}, taking the network's parameters and updater state as they are now. */
    FusedParameterUpdate(FusedUpdate fused, Network net, GradientClipping clipping, StepStatistics statistics) {
        this.fused = fused;
        this.net = net;
        this.clipping = clipping;
        this.statistics = statistics;
        this.length = Math.toIntExact(net.numParams());
        reload();
    }

    /**
     * Where update ratios are due, they are taken from the fused update's parameters before the
     * step and the updates it leaves in {@code sums}.
     */
    @Override
    public double apply(float[] sums, int batchSize, int iteration, int epoch) {
        double averagedNorm = Math.sqrt(SumOfSquares.of(sums, length)) / batchSize;
        float scale = 1f;
        float bound = Float.POSITIVE_INFINITY;
        if (clipping.kind() == GradientClipping.Kind.NORM && averagedNorm > clipping.threshold()) {
            scale = (float) (clipping.threshold() / averagedNorm);
        } else if (clipping.kind() == GradientClipping.Kind.VALUE) {
            bound = (float) (clipping.threshold() * batchSize);
        }
        double[] parameterNorms = statistics.ratioDue(iteration)
                ? statistics.parameterNorms(net, fused.params()) : null;
        fused.apply(sums, batchSize, scale, bound, iteration, epoch);
        fused.storeParams(HostMemory.floats(net.params()));
        HostMemory.wroteOnHost(net.params());
        if (parameterNorms != null) {
            statistics.updateRatios(sums, parameterNorms);
        }
        net.setIterationCount(iteration + 1);
        if (TinyValues.due(iteration)) {
            fused.flushTinyValues();
        }
        return averagedNorm;
    }

    @Override
    public void storeState() {
        INDArray state = net.updater().getStateViewArray();
        if (state != null) { // none for stateless updaters (SGD)
            fused.storeState(HostMemory.floats(state));
            HostMemory.wroteOnHost(state);
        }
    }

    @Override
    public void reload() {
        INDArray state = net.updater().getStateViewArray();
        fused.load(HostMemory.floats(net.params()), state == null ? null : HostMemory.floats(state));
    }
}
