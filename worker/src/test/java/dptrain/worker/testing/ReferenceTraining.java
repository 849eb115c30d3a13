package dptrain.worker.testing;

import dptrain.worker.data.BatchAssembler;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-process DL4J training on the same global batches as a data-parallel epoch: the
 * reference every exactness test compares against. Uses nothing of dptrain's step or collective.
 */
public final class ReferenceTraining {

    private ReferenceTraining() {
    }

    /** One {@code net.fit} per global batch, the batch being the ranks' parts in rank order. */
    public static void fitEpoch(MultiLayerNetwork net, ShardBlock[] blocks, BatchPlan plan, int classes) {
        globalBatches(blocks, plan, classes).forEach(net::fit);
        net.getLayerWiseConfigurations().setEpochCount(plan.epoch() + 1);
    }

    /** The same for a computation graph with one input and one output. */
    public static void fitEpoch(ComputationGraph graph, ShardBlock[] blocks, BatchPlan plan, int classes) {
        globalBatches(blocks, plan, classes).forEach(graph::fit);
        graph.getConfiguration().setEpochCount(plan.epoch() + 1);
    }

    /** The epoch's global batches, each the ranks' parts in rank order. */
    public static List<DataSet> globalBatches(ShardBlock[] blocks, BatchPlan plan, int classes) {
        int[][] orders = new int[blocks.length][];
        for (int r = 0; r < blocks.length; r++) {
            orders[r] = plan.order(r);
        }
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < plan.iterations(); i++) {
            List<INDArray> features = new ArrayList<>();
            List<INDArray> labels = new ArrayList<>();
            for (int r = 0; r < blocks.length; r++) {
                int count = plan.partSize(r, i);
                if (count > 0) {
                    BatchAssembler assembler = new BatchAssembler(blocks[r], classes);
                    features.add(assembler.features(orders[r], plan.partStart(r, i), count));
                    labels.add(assembler.labels(orders[r], plan.partStart(r, i), count));
                }
            }
            batches.add(new DataSet(Nd4j.concat(0, features.toArray(INDArray[]::new)),
                    Nd4j.concat(0, labels.toArray(INDArray[]::new))));
        }
        return batches;
    }

    /**
     * Asserts {@code actual} equals {@code expected} up to float32 rounding: every element within
     * {@code tolerance} times the largest magnitude in {@code expected}. (One batch and the sum of
     * its parts round differently, so bit equality is not expected across the two paths.)
     */
    public static void assertClose(float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) {
            throw new AssertionError("lengths differ: " + expected.length + " vs " + actual.length);
        }
        double scale = 0;
        for (float value : expected) {
            scale = Math.max(scale, Math.abs(value));
        }
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs(expected[i] - actual[i]);
            if (difference > worst) {
                worst = difference;
                worstIndex = i;
            }
        }
        if (!(worst <= tolerance * scale)) {
            throw new AssertionError("difference " + worst + " (" + worst / scale + " of the largest magnitude "
                    + scale + ") at " + worstIndex + ": expected " + expected[worstIndex] + ", got "
                    + actual[worstIndex]);
        }
    }
}
