package dptrain.worker.score;

import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network of a {@link ScoringModel}, built once per task, applied to blocks of rows in
 * inference mode. Rows go through in chunks of at most {@link #CHUNK_ROWS}, so one call's
 * memory stays bounded whatever the caller hands in.
 */
public final class BatchScorer {

    /** Rows per forward pass. */
    public static final int CHUNK_ROWS = 1024;

    private final Network net;
    private final int featureCount;

    public BatchScorer(ScoringModel model) {
        this.net = new NetworkState(model.params(), new float[0], 0, 0).restore(model.configurationJson());
        this.featureCount = model.featureCount();
    }

    /** Width of the input rows the network takes. */
    public int featureCount() {
        return featureCount;
    }

    /**
     * @param features row-major {@code rows x featureCount()}
     * @return the network output, row-major {@code rows x outputs}
     */
    public float[] score(float[] features, int rows) {
        if (features.length != (long) rows * featureCount) {
            throw new IllegalArgumentException("expected " + rows + " x " + featureCount + " features, got "
                    + features.length + " values");
        }
        float[] out = null;
        int width = 0;
        for (int from = 0; from < rows; from += CHUNK_ROWS) {
            int count = Math.min(CHUNK_ROWS, rows - from);
            float[] chunk = new float[count * featureCount];
            System.arraycopy(features, from * featureCount, chunk, 0, chunk.length);
            INDArray output = net.output(Nd4j.create(chunk, new long[] {count, featureCount}, 'c'));
            float[] values = Nd4j.toFlattened('c', output).toFloatVector();
            if (out == null) {
                width = (int) output.size(1);
                out = new float[rows * width];
            }
            System.arraycopy(values, 0, out, from * width, values.length);
        }
        return out == null ? new float[0] : out;
    }
}
