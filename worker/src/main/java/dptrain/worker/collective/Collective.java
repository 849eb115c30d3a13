package dptrain.worker.collective;

/**
 * A group of {@link #size()} ranks that reduce arrays together. Every rank calls the same
 * operations in the same order with arrays of the same length; a call returns when this rank
 * holds the result. Implementations fail with {@link CollectiveException} (never hang) when a
 * peer is gone, too slow, or not of this job.
 */
public interface Collective extends AutoCloseable {

    /** This rank, {@code 0 <= rank < size}. */
    int rank();

    /** Number of ranks in the group. */
    int size();

    /**
     * Replaces {@code buffer} on every rank by the element-wise sum of all ranks' buffers. The
     * result is bit-identical on every rank.
     */
    void allReduceSum(float[] buffer);

    /** Releases sockets and threads; idempotent. */
    @Override
    void close();
}
