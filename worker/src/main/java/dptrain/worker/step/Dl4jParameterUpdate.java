package dptrain.worker.step;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's own updater on the network's gradient view: every updater and layer DL4J has, and the
 * first update of every epoch (it creates the updater blocks the fused update binds to).
 *
 * <p>The sums go back into the gradient view, are clipped there with native operations, and DL4J's
 * updater runs with the batch size; its step is split in two ({@link Network#computeUpdate},
 * {@link Network#subtractUpdate}) so that the update itself can be watched. Batch-norm
 * running-statistics entries hold updates, not gradients: they are kept out of the norm and the
 * clipping and go back in just before the updater's no-op step applies them.
 */
final class Dl4jParameterUpdate implements ParameterUpdate {

    private final Network net;
    private final GradientClipping clipping;
    private final StepStatistics statistics;
    private final BatchNormStatistics batchNorm;
    private final int length;

    Dl4jParameterUpdate(Network net, GradientClipping clipping, StepStatistics statistics,
                        BatchNormStatistics batchNorm) {
        this.net = net;
        this.clipping = clipping;
        this.statistics = statistics;
        this.batchNorm = batchNorm;
        this.length = Math.toIntExact(net.numParams());
    }

    @Override
    public double apply(float[] sums, int batchSize, int iteration, int epoch) {
        float[] heldStatistics = batchNorm.isEmpty() ? null : batchNorm.takeUpdates(sums);
        INDArray view = net.flattenedGradients();
        HostMemory.copyIn(sums, 0, view, length);
        // A native reduction (a Java loop over the copy costs several percent of an MLP's step).
        // Any NaN or infinite element makes the norm non-finite: this is also the divergence check.
        // The native sum of squares is float and overflows for elements above about 1e19; only
        // then is it redone in double, so that only a really non-finite gradient counts.
        double norm = view.norm2Number().doubleValue();
        if (!Double.isFinite(norm)) {
            norm = Math.sqrt(SumOfSquares.of(sums, length));
        }
        double averagedNorm = norm / batchSize;
        clipping.clipSums(view, batchSize, averagedNorm);
        if (heldStatistics != null) {
            HostMemory.copyOut(view, sums, 0, length);
            batchNorm.putUpdates(sums, heldStatistics);
            HostMemory.copyIn(sums, 0, view, length);
        }
        double[] parameterNorms = statistics.ratioDue(iteration) ? statistics.parameterNorms(net) : null;
        net.computeUpdate(batchSize, iteration, epoch);
        if (parameterNorms != null) {
            statistics.updateRatios(net, parameterNorms);
        }
        net.subtractUpdate(iteration);
        return averagedNorm;
    }

    /** DL4J keeps its updater state in the network's view: nothing to store. */
    @Override
    public void storeState() {
    }

    /** DL4J reads the parameters and updater state from the network: nothing to reload. */
    @Override
    public void reload() {
    }
}
