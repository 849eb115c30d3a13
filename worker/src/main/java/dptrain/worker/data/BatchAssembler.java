package dptrain.worker.data;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns rows of a {@link ShardBlock} into the feature and label matrices DL4J trains on.
 * Classification labels (class indices) become one-hot rows of width {@code classes}; with
 * {@code classes == 0} the label values are used as they are (regression, binary targets).
 *
 * <p>The matrices are reused: each call overwrites the ones the previous call of the same kind
 * returned (new ones only when the row count changes), so a caller uses a batch before asking for
 * the next. Why: a new Java array and a new native buffer per batch (and their deallocation by
 * ND4J's collector threads) cost a training loop on two cores more than the copy itself.
 */
public final class BatchAssembler {

    private final ShardBlock block;
    private final int classes;
    private INDArray featureBatch;
    private INDArray labelBatch;

    public BatchAssembler(ShardBlock block, int classes) {
        this.block = block;
        this.classes = classes;
    }

    public int labelColumns() {
        return classes > 0 ? classes : block.labelWidth();
    }

    /** Features of rows {@code order[from..from+count)}; overwritten by the next call. */
    public INDArray features(int[] order, int from, int count) {
        int width = block.featureCount();
        featureBatch = reuse(featureBatch, count, width);
        if (count == 0) {
            return featureBatch;
        }
        FloatBuffer out = hostFloats(featureBatch);
        for (int k = 0; k < count; k++) {
            out.put(k * width, block.features(), order[from + k] * width, width);
        }
        return featureBatch;
    }

    /** Labels of rows {@code order[from..from+count)}; overwritten by the next call. */
    public INDArray labels(int[] order, int from, int count) {
        int width = labelColumns();
        labelBatch = reuse(labelBatch, count, width);
        if (count == 0) {
            return labelBatch;
        }
        FloatBuffer out = hostFloats(labelBatch);
        float[] labels = block.labels();
        int labelWidth = block.labelWidth();
        for (int k = 0; k < count; k++) {
            int row = order[from + k];
            if (classes > 0) {
                for (int c = 0; c < width; c++) {
                    out.put(k * width + c, 0f);
                }
                out.put(k * width + (int) labels[row], 1f);
            } else {
                out.put(k * width, labels, row * labelWidth, labelWidth);
            }
        }
        return labelBatch;
    }

    private static INDArray reuse(INDArray previous, int rows, int width) {
        if (previous != null && previous.size(0) == rows) {
            return previous;
        }
        return Nd4j.create(DataType.FLOAT, rows, width);
    }

    /** The array's host memory, marked as the current copy: on a GPU backend it goes over before use. */
    private static FloatBuffer hostFloats(INDArray array) {
        Nd4j.getAffinityManager().ensureLocation(array, AffinityManager.Location.HOST);
        Nd4j.getAffinityManager().tagLocation(array, AffinityManager.Location.HOST);
        return array.data().asNioFloat();
    }

    /** The identity order {@code 0..rows-1}, for passes that need no shuffling. */
    public static int[] inOrder(int rows) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        return order;
    }
}
