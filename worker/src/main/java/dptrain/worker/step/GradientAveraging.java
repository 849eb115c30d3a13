package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact global-batch step: every iteration, each rank's gradient sums are added over the ranks
 * and every rank runs the same update on the total.
 *
 * <p>The maths: DL4J's backward pass leaves in the flattened gradient view the <em>sum</em> over the
 * part's examples of the per-example loss gradient, and its updater divides by the batch size it is
 * given (then applies L2, Adam moments, ...). The gradient of the whole global batch
 * {@code B = union of the ranks' parts} is therefore {@code (1/|B|) * sum over ranks of the per-rank
 * sums}, whatever the part sizes. So each rank sums its part, the collective adds the sums (no
 * per-rank weights to get wrong, uneven and empty parts included), and every rank runs the same
 * updater with {@code |B|} as batch size and the same iteration number. Identical inputs on every
 * rank give identical parameters on every rank, and the same numbers as {@code net.fit(B)} on one
 * machine. Clipping acts on the averaged gradient after the all-reduce, before the updater, so N
 * ranks clip exactly what one machine would clip.
 */
final class GradientAveraging extends Synchronizer {

    /** The gradient sums followed by this rank's data-loss sum: what the all-reduce adds. */
    private final float[] exchange;

    GradientAveraging(Network net, Collective collective, GradientClipping clipping, StepStatistics statistics) {
        super(net, collective, clipping, statistics);
        this.exchange = new float[length + 1];
    }

    @Override
    public double step(INDArray features, INDArray labels, int globalRows) {
        int current = iteration++;
        int rows = Math.toIntExact(features.size(0));
        if (rows > 0) {
            exchange[length] = (float) gradientSums(features, labels, exchange);
            if (!batchNorm.isEmpty()) {
                batchNorm.updatesToMoments(exchange, HostMemory.floats(net.params()), rows);
            }
        } else {
            ensureGradientStructure(features.size(1), labels.size(1));
            Arrays.fill(exchange, 0f);
        }
        collective.allReduceSum(exchange);
        if (!batchNorm.isEmpty()) {
            batchNorm.momentsToUpdates(exchange, HostMemory.floats(net.params()), globalRows);
        }
        double lossSum = exchange[length];
        double norm = updateParameters(exchange, globalRows, lossSum, current);
        requireFinite(lossSum, "loss");
        requireFinite(norm, "averaged gradient L2 norm");
        return lossSum;
    }

    /**
     * A rank whose part is empty still runs the updater, which needs the per-layer gradient views
     * that a first backward pass creates; one pass on a zero row creates them.
     */
    private void ensureGradientStructure(long inputs, long outputs) {
        if (net.gradient() == null) {
            net.computeGradientAndScore(Nd4j.zeros(DataType.FLOAT, 1, inputs), Nd4j.zeros(DataType.FLOAT, 1, outputs));
        }
    }
}
