package dptrain.worker.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns rows of a {@link ShardBlock} into the feature and label matrices DL4J trains on.
 * Classification labels (class indices) become one-hot rows of width {@code classes}; with
 * {@code classes == 0} the label values are used as they are (regression, binary targets).
 */
public final class BatchAssembler {

    private final ShardBlock block;
    private final int classes;

    public BatchAssembler(ShardBlock block, int classes) {
        this.block = block;
        this.classes = classes;
    }

    public int labelColumns() {
        return classes > 0 ? classes : block.labelWidth();
    }

    /** Features of rows {@code order[from..from+count)}. */
    public INDArray features(int[] order, int from, int count) {
        int width = block.featureCount();
        if (count == 0) {
            return Nd4j.create(DataType.FLOAT, 0, width);
        }
        float[] out = new float[count * width];
        for (int k = 0; k < count; k++) {
            System.arraycopy(block.features(), order[from + k] * width, out, k * width, width);
        }
        return Nd4j.create(out, new long[] {count, width}, 'c');
    }

    /** Labels of rows {@code order[from..from+count)}. */
    public INDArray labels(int[] order, int from, int count) {
        int width = labelColumns();
        if (count == 0) {
            return Nd4j.create(DataType.FLOAT, 0, width);
        }
        float[] out = new float[count * width];
        float[] labels = block.labels();
        int labelWidth = block.labelWidth();
        for (int k = 0; k < count; k++) {
            int row = order[from + k];
            if (classes > 0) {
                out[k * width + (int) labels[row]] = 1f;
            } else {
                System.arraycopy(labels, row * labelWidth, out, k * width, labelWidth);
            }
        }
        return Nd4j.create(out, new long[] {count, width}, 'c');
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
