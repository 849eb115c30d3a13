package dptrain.worker.step;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * OpenBLAS's {@code cblas_sgemm} called directly on ND4J's host memory, on the CPU backend.
 *
 * <p>Why: {@code Nd4j.gemm} runs libnd4j's {@code Mmul} custom op, which builds an op context, shape
 * descriptors and JavaCPP pointers on every call and leaves them to the garbage collector; for the
 * small products of a data-parallel worker's step (32 x 784 by 784 x 256) that garbage, not the
 * arithmetic, is what the call costs beyond the BLAS kernel, and the collections it forces stall
 * the rank that every other rank then waits for at the all-reduce. Calling the kernel itself
 * allocates nothing. It is the same library and thread setting ND4J's CPU backend uses (ND4J
 * hands libnd4j the addresses of these very functions).
 *
 * <p>The function is looked up at run time: the CUDA build ships no OpenBLAS, and there
 * {@link #available()} is false.
 */
final class HostBlas {

    private static final int COLUMN_MAJOR = 102;
    private static final int NO_TRANSPOSE = 111;
    private static final int TRANSPOSE = 112;

    private HostBlas() {
    }

    /** Whether ND4J runs on the CPU backend with OpenBLAS, so {@link #multiply} can be used. */
    static boolean available() {
        return Nd4j.getEnvironment().isCPU() && Sgemm.HANDLE != null;
    }

    /**
     * {@code c = op(a) * op(b)}, where {@code op} transposes when asked; {@code c} must be column-major
     * (ND4J's {@code 'f'} order) and not overlap {@code a} or {@code b}.
     */
    static void multiply(Matrix a, boolean transposeA, Matrix b, boolean transposeB, Matrix c) {
        if (c.rowMajor()) {
            throw new IllegalArgumentException("the product is written column-major, not into a 'c'-order array");
        }
        int inner = transposeA ? a.rows() : a.cols();
        // a row-major matrix is, read column-major, its own transpose
        int opA = transposeA != a.rowMajor() ? TRANSPOSE : NO_TRANSPOSE;
        int opB = transposeB != b.rowMajor() ? TRANSPOSE : NO_TRANSPOSE;
        try {
            Sgemm.HANDLE.invokeExact(COLUMN_MAJOR, opA, opB, c.rows(), c.cols(), inner, 1f, a.floats(), a.stride(),
                    b.floats(), b.stride(), 0f, c.floats(), c.stride());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }

    /** Looked up on first use, so the CUDA backend never touches OpenBLAS's classes. */
    private static final class Sgemm {
        static final MethodHandle HANDLE = find();

        private static MethodHandle find() {
            try {
                Class<?> openblas = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
                MethodType type = MethodType.methodType(void.class, int.class, int.class, int.class, int.class,
                        int.class, int.class, float.class, FloatBuffer.class, int.class, FloatBuffer.class, int.class,
                        float.class, FloatBuffer.class, int.class);
                return MethodHandles.publicLookup().findStatic(openblas, "cblas_sgemm", type);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }

    /**
     * A float matrix in host memory with one unit stride: element {@code (r, c)} is at
     * {@code c * stride + r} when column-major, {@code r * stride + c} when row-major, of
     * {@code floats} (which starts at the array's first element).
     */
    record Matrix(FloatBuffer floats, int rows, int cols, int stride, boolean rowMajor) {

        /** The matrix of a 2-D float array with a unit stride, or null for any other array. */
        static Matrix of(INDArray array) {
            if (array.rank() != 2 || array.dataType() != DataType.FLOAT || array.size(0) > Integer.MAX_VALUE
                    || array.size(1) > Integer.MAX_VALUE) {
                return null;
            }
            int rows = (int) array.size(0);
            int cols = (int) array.size(1);
            long rowStride = array.stride(0);
            long colStride = array.stride(1);
            // BLAS wants a leading dimension of at least the stored column's length, even when unused
            if (rowStride == 1 && (cols == 1 || colStride >= rows)) {
                return new Matrix(HostMemory.floats(array), rows, cols, cols == 1 ? Math.max(1, rows)
                        : (int) colStride, false);
            }
            if (colStride == 1 && (rows == 1 || rowStride >= cols)) {
                return new Matrix(HostMemory.floats(array), rows, cols, rows == 1 ? Math.max(1, cols)
                        : (int) rowStride, true);
            }
            return null;
        }

        int at(int row, int col) {
            return rowMajor ? row * stride + col : col * stride + row;
        }
    }
}
