package dptrain.worker.step;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The host memory of ND4J arrays as floats. The all-reduce buffer, the fast paths and the
 * parameter average all work on host memory: with the CUDA backend reading first copies the
 * newest values off the GPU, and a write marks the GPU copy stale (both no-ops on the CPU backend).
 */
final class HostMemory {

    private HostMemory() {
    }

    /** A flattened (row-vector) view's host memory as floats, from its first element. */
    static FloatBuffer floats(INDArray array) {
        Nd4j.getAffinityManager().ensureLocation(array, AffinityManager.Location.HOST);
        FloatBuffer buffer = array.data().asNioFloat();
        buffer.position(Math.toIntExact(array.offset()));
        return buffer.slice();
    }

    /** After a write through {@link #floats}: with the CUDA backend the GPU copy is now stale. */
    static void wroteOnHost(INDArray array) {
        Nd4j.getAffinityManager().tagLocation(array, AffinityManager.Location.HOST);
    }

    /** Copies the first {@code length} elements of {@code array} into {@code target} at {@code at}. */
    static void copyOut(INDArray array, float[] target, int at, int length) {
        floats(array).get(target, at, length);
    }

    /** Copies {@code length} elements of {@code source} from {@code at} into {@code array}'s first ones. */
    static void copyIn(float[] source, int at, INDArray array, int length) {
        floats(array).put(source, at, length);
        wroteOnHost(array);
    }
}
