package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the two synchronizers share: the network, the collective, what is watched, and the compute
 * pass and parameter update of this rank for this epoch.
 *
 * <p>DL4J creates a network's gradient views in its first backward pass and its updater blocks in
 * its first update, and the host fast paths bind to both. So the first pass of an epoch (on a
 * non-empty part) runs through DL4J's layers and the first update through DL4J's updater; right
 * after each, the pass or update for the rest of the epoch is chosen, once
 * ({@link FirstPass}, {@link FirstUpdate}): the dense fast path and the fused update where they are
 * DL4J's arithmetic exactly, DL4J's own otherwise. From then on every call goes straight to the
 * chosen one.
 */
abstract sealed class Synchronizer implements TrainingStep permits GradientAveraging, ParameterAveraging {

    final Network net;
    final Collective collective;
    final StepStatistics statistics;
    final BatchNormStatistics batchNorm;
    /** Parameters in the network: the length of the gradient in every buffer. */
    final int length;
    final int epoch;
    /** The global iteration number of the next {@link #step}. */
    int iteration;
    private ComputePass pass;
    private ParameterUpdate update;

    Synchronizer(Network net, Collective collective, GradientClipping clipping, StepStatistics statistics) {
        this.net = net;
        this.collective = collective;
        this.statistics = statistics;
        this.batchNorm = BatchNormStatistics.of(net);
        this.length = Math.toIntExact(net.numParams());
        this.epoch = net.epochCount();
        this.iteration = net.iterationCount();
        this.pass = new FirstPass(new Dl4jLayers(net));
        this.update = new FirstUpdate(new Dl4jParameterUpdate(net, clipping, statistics, batchNorm), clipping);
    }

    /** {@link ComputePass#gradientSums} through this epoch's pass. */
    final double gradientSums(INDArray features, INDArray labels, float[] sums) {
        return pass.gradientSums(features, labels, sums);
    }

    /**
     * {@link ParameterUpdate#apply} through this epoch's update, then records the norm and, when
     * due, a probe of the loss and learning rate.
     *
     * @return the L2 norm of the averaged gradient before clipping
     */
    final double updateParameters(float[] sums, int batchSize, double lossSum, int iteration) {
        double norm = update.apply(sums, batchSize, iteration, epoch);
        statistics.gradientNorm(norm);
        if (statistics.probeDue(iteration)) {
            statistics.probe(iteration, lossSum / batchSize, net.learningRate(iteration, epoch));
        }
        return norm;
    }

    /** Makes the network's updater state current: the update may keep it elsewhere between iterations. */
    final void storeUpdaterState() {
        update.storeState();
    }

    /** After the parameters or updater state were replaced in the network. */
    final void reloadUpdate() {
        update.reload();
    }

    /** The pass the next iteration runs: which one was chosen, for tests. */
    final Class<? extends ComputePass> passKind() {
        return pass.getClass();
    }

    /** The update the next iteration runs: which one was chosen, for tests. */
    final Class<? extends ParameterUpdate> updateKind() {
        return update.getClass();
    }

    @Override
    public void finish() {
        storeUpdaterState();
    }

    static void requireFinite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new NonFiniteValueException(what + " is " + value);
        }
    }

    /** DL4J's pass; once it has run, the pass for the rest of the epoch takes its place. */
    private final class FirstPass implements ComputePass {
        private final Dl4jLayers layers;

        FirstPass(Dl4jLayers layers) {
            this.layers = layers;
        }

        @Override
        public double gradientSums(INDArray features, INDArray labels, float[] sums) {
            double lossSum = layers.gradientSums(features, labels, sums);
            pass = DenseGradients.forNetwork(net).<ComputePass>map(dense -> dense).orElse(layers);
            return lossSum;
        }
    }

    /** DL4J's update; once it has run, the update for the rest of the epoch takes its place. */
    private final class FirstUpdate implements ParameterUpdate {
        private final Dl4jParameterUpdate dl4j;
        private final GradientClipping clipping;

        FirstUpdate(Dl4jParameterUpdate dl4j, GradientClipping clipping) {
            this.dl4j = dl4j;
            this.clipping = clipping;
        }

        @Override
        public double apply(float[] sums, int batchSize, int iteration, int epoch) {
            double norm = dl4j.apply(sums, batchSize, iteration, epoch);
            update = FusedUpdate.forNetwork(net)
                    .<ParameterUpdate>map(fused -> new FusedParameterUpdate(fused, net, clipping, statistics))
                    .orElse(dl4j);
            return norm;
        }

        @Override
        public void storeState() {
            dl4j.storeState();
        }

        @Override
        public void reload() {
            dl4j.reload();
        }
    }
}
