package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One synchronous data-parallel iteration on one rank.
 *
 * <p>The maths: DL4J's backward pass leaves in the flattened gradient view the <em>sum</em> over
 * the part's examples of the per-example loss gradient, and its updater divides by the batch size
 * it is given (then applies L2, Adam moments, ...). The gradient of the whole global batch
 * {@code B = union of the ranks' parts} is therefore {@code (1/|B|) * sum over ranks of the
 * per-rank sums}, whatever the part sizes. So each rank sums its part, the collective adds the
 * sums (no per-rank weights to get wrong, uneven and empty parts included), the sum is written
 * back into the gradient view, and every rank runs the same updater with {@code |B|} as batch
 * size and the same iteration number. Identical inputs on every rank give identical parameters
 * on every rank, and the same numbers as {@code net.fit(B)} on one machine.
 */
public final class TrainingStep {

    private final Network net;
    private final Collective collective;
    private final int gradientLength;
    /** The flattened gradient followed by this rank's data-loss sum. */
    private final float[] exchange;
    /** The dense fast path, once known to apply (empty: DL4J's own backward pass); null before the first pass. */
    private java.util.Optional<DenseGradients> dense;

    public TrainingStep(Network net, Collective collective) {
        this.net = net;
        this.collective = collective;
        this.gradientLength = Math.toIntExact(net.numParams());
        this.exchange = new float[gradientLength + 1];
    }

    public Network network() {
        return net;
    }

    /**
     * Runs one iteration.
     *
     * @param features        this rank's part of the global batch, {@code rows x inputs}; may have 0 rows
     * @param labels          its labels, {@code rows x outputs}
     * @param globalBatchSize rows in the whole global batch (all ranks)
     * @param iteration       global iteration count (the same on every rank)
     * @param epoch           epoch count
     * @return the data loss (without regularisation) summed over the whole global batch
     */
    public double apply(INDArray features, INDArray labels, int globalBatchSize, int iteration, int epoch) {
        long rows = features.size(0);
        if (rows > 0) {
            exchange[gradientLength] = (float) localLossSum(features, labels);
            gradientView().get(exchange, 0, gradientLength);
        } else {
            ensureGradientStructure(features.size(1), labels.size(1));
            java.util.Arrays.fill(exchange, 0f);
        }
        collective.allReduceSum(exchange);
        gradientView().put(exchange, 0, gradientLength);
        // The sum was written through the host buffer: on the CUDA backend the device copy is now stale.
        Nd4j.getAffinityManager().tagLocation(net.flattenedGradients(), AffinityManager.Location.HOST);

        net.applyUpdate(globalBatchSize, iteration, epoch);
        return exchange[gradientLength];
    }

    /**
     * Backward pass over this rank's part: the gradient sums land in the gradient view; returns
     * the part's data-loss sum. The first pass goes through DL4J (it creates the gradient views);
     * plain dense stacks then take the {@link DenseGradients} fast path.
     */
    private double localLossSum(INDArray features, INDArray labels) {
        if (dense == null) {
            net.computeGradientAndScore(features, labels);
            dense = DenseGradients.forNetwork(net);
            return (net.score() - net.regularizationScore()) * features.size(0);
        }
        if (dense.isPresent()) {
            return dense.get().lossSum(features, labels);
        }
        net.computeGradientAndScore(features, labels);
        return (net.score() - net.regularizationScore()) * features.size(0);
    }

    private FloatBuffer gradientView() {
        INDArray gradient = net.flattenedGradients();
        // The all-reduce goes through host memory; with CUDA this copies the gradient off the GPU first.
        Nd4j.getAffinityManager().ensureLocation(gradient, AffinityManager.Location.HOST);
        FloatBuffer buffer = gradient.data().asNioFloat();
        buffer.position(Math.toIntExact(gradient.offset()));
        return buffer.slice();
    }

    /**
     * A rank whose part is empty still runs the updater, which needs the per-layer gradient
     * views that a first backward pass creates; one pass on a zero row creates them.
     */
    private void ensureGradientStructure(long inputs, long outputs) {
        if (net.gradient() == null) {
            net.computeGradientAndScore(Nd4j.zeros(DataType.FLOAT, 1, inputs), Nd4j.zeros(DataType.FLOAT, 1, outputs));
        }
    }
}
