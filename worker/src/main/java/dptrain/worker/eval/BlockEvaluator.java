package dptrain.worker.eval;

import dptrain.worker.data.BatchAssembler;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluates a network on blocks: loss (DL4J's own per-example scores, without regularisation)
 * and accuracy/confusion for classification, squared and absolute errors for regression.
 */
public final class BlockEvaluator {

    private static final int CHUNK_ROWS = 2048;

    private final Network net;
    private final int classes;
    private final boolean binary;

    /**
     * @param classes one-hot width for class-index labels (multi-class), or 0 when labels are
     *                used as values
     * @param binary  labels are 0/1 targets of a single sigmoid output (accuracy at threshold 0.5)
     */
    public BlockEvaluator(Network net, int classes, boolean binary) {
        this.net = net;
        this.classes = classes;
        this.binary = binary;
    }

    private int confusionClasses() {
        return PartitionEvaluation.confusionClasses(classes, binary);
    }

    public EvaluationTotals evaluate(ShardBlock block) {
        EvaluationTotals totals = EvaluationTotals.empty(confusionClasses());
        BatchAssembler assembler = new BatchAssembler(block, net.sparseLabels() ? 0 : classes);
        int[] order = BatchAssembler.inOrder(block.rows());
        for (int from = 0; from < block.rows(); from += CHUNK_ROWS) {
            int count = Math.min(CHUNK_ROWS, block.rows() - from);
            INDArray features = assembler.features(order, from, count);
            INDArray labels = assembler.labels(order, from, count);
            totals = totals.plus(chunk(features, labels));
        }
        return totals;
    }

    private EvaluationTotals chunk(INDArray features, INDArray labels) {
        int rows = (int) features.size(0);
        double loss = net.scoreExamples(features, labels).sumNumber().doubleValue();
        INDArray output = net.output(features);
        float[] predicted = Nd4j.toFlattened('c', output).toFloatVector();
        float[] actual = Nd4j.toFlattened('c', labels).toFloatVector();
        int width = (int) output.size(1);
        int k = confusionClasses();
        long[] confusion = new long[k * k];
        long correct = 0;
        double squared = 0;
        double absolute = 0;
        double targetSum = 0;
        double targetSquares = 0;
        if (classes > 0) {
            for (int r = 0; r < rows; r++) {
                // one-hot rows, or the class index itself for a sparse loss
                int truth = labels.size(1) == 1 ? (int) actual[r] : argmax(actual, r * width, width);
                int guess = argmax(predicted, r * width, width);
                confusion[truth * k + guess]++;
                correct += truth == guess ? 1 : 0;
            }
        } else {
            for (int i = 0; i < predicted.length; i++) {
                double error = predicted[i] - actual[i];
                squared += error * error;
                absolute += Math.abs(error);
                targetSum += actual[i];
                targetSquares += (double) actual[i] * actual[i];
            }
            if (binary) {
                for (int r = 0; r < rows; r++) {
                    int truth = actual[r] >= 0.5f ? 1 : 0;
                    int guess = predicted[r] >= 0.5f ? 1 : 0;
                    confusion[truth * 2 + guess]++;
                    correct += truth == guess ? 1 : 0;
                }
            }
        }
        long values = classes > 0 ? 0 : predicted.length;
        return new EvaluationTotals(rows, loss, correct, confusion, squared, absolute, targetSum, targetSquares,
                values);
    }

    private static int argmax(float[] values, int offset, int width) {
        int best = 0;
        for (int j = 1; j < width; j++) {
            if (values[offset + j] > values[offset + best]) {
                best = j;
            }
        }
        return best;
    }
}
