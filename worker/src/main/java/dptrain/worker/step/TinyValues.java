package dptrain.worker.step;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keeps the updater state free of float subnormals. Adam's moments of parameters whose gradient
 * is always zero (border pixels, dead units) decay geometrically into subnormals, and x86
 * arithmetic on subnormals is about a hundred times slower: without this, Adam's native step grew
 * from 2 to 12 ms per iteration within two epochs of Fashion-MNIST. An entry below {@value #TINY}
 * moves its parameter by less than 1e-22 times the learning rate, far below float resolution, so
 * setting it to zero leaves results unchanged.
 */
final class TinyValues {

    /**
     * Iterations between flushes. A moment just above {@value #TINY} needs about 175 of Adam's
     * beta1 = 0.9 decays to become subnormal, so flushing every 64 iterations keeps the state free
     * of subnormals while the Java pass over the state costs next to nothing per iteration. All
     * ranks flush at the same global iterations, so they stay identical.
     */
    static final int FLUSH_EVERY = 64;

    private static final float TINY = 1e-30f;

    private TinyValues() {
    }

    /** Whether the updater state is due for a flush after {@code iteration}. */
    static boolean due(int iteration) {
        return iteration % FLUSH_EVERY == 0;
    }

    /** Sets the entries of a whole updater-state array (not a view into one) that are {@link #tiny} to zero. */
    static void flush(INDArray state) {
        if (state == null || state.isView() && state.offset() != 0) {
            return;
        }
        // On the CUDA backend the state lives on the GPU: fetch it, and mark the host copy as the newer one.
        Nd4j.getAffinityManager().ensureLocation(state, AffinityManager.Location.HOST);
        FloatBuffer values = state.data().asNioFloat();
        for (int i = 0, n = (int) state.length(); i < n; i++) {
            float value = values.get(i);
            if (tiny(value)) {
                values.put(i, 0f);
            }
        }
        Nd4j.getAffinityManager().tagLocation(state, AffinityManager.Location.HOST);
    }

    /** {@link #flush(INDArray)} for state held in a Java array. */
    static void flush(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (tiny(values[i])) {
                values[i] = 0f;
            }
        }
    }

    /** Whether a flush sets {@code value} to zero: non-zero and below {@value #TINY} in magnitude. */
    static boolean tiny(float value) {
        return value != 0f && Math.abs(value) < TINY;
    }
}
