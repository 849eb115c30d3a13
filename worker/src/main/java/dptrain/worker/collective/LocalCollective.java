package dptrain.worker.collective;

import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The collective of ranks that are threads of one JVM (Spark local mode, or an executor that runs
 * several of an epoch's tasks): the all-reduce goes through memory instead of TCP loopback.
 *
 * <p>Each call: every rank publishes its buffer and waits for the others; rank r then adds
 * segment r of all buffers, in rank order, into rank 0's buffer and copies the sum into every
 * other rank's buffer (the segments are disjoint, so no two ranks write the same element); a
 * second wait ends the call. Each element's sum is computed once, by one rank, in a fixed order,
 * so the result is bit-identical on every rank, and each rank reads and writes
 * {@code 2 (size-1)/size} of the data, as in the ring, at memory speed. Every wait is bounded by the
 * timeout; a rank that fails or closes breaks the waits of the others.
 */
public final class LocalCollective implements Collective {

    /** Names this JVM in the rendezvous: ranks that all report the same one share memory. */
    static final String JVM = java.util.UUID.randomUUID().toString();
    private static final ConcurrentHashMap<String, Group> GROUPS = new ConcurrentHashMap<>();

    private final Group group;
    private final String tag;
    private final int rank;
    private final long timeoutNanos;
    private volatile boolean closed;

    private LocalCollective(Group group, String tag, int rank, long timeoutNanos) {
        this.group = group;
        this.tag = tag;
        this.rank = rank;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Joins the group {@code tag} of this JVM as {@code rank} of {@code size}; every rank of the
     * group must join with the same tag (one per epoch attempt).
     */
    static LocalCollective join(String tag, int rank, int size, long timeoutNanos) {
        Group group = GROUPS.computeIfAbsent(tag, t -> new Group(size));
        if (group.buffers.length != size) {
            throw new CollectiveException("rank " + rank + ": the in-memory group " + tag + " has "
                    + group.buffers.length + " ranks, not " + size);
        }
        return new LocalCollective(group, tag, rank, timeoutNanos);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.buffers.length;
    }

    @Override
    public void allReduceSum(float[] buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (closed) {
            throw new IllegalStateException("rank " + rank + ": the collective is closed");
        }
        float[][] buffers = group.buffers;
        int size = buffers.length;
        buffers[rank] = buffer;
        await("the other ranks' buffers");
        int n = buffer.length;
        for (int r = 0; r < size; r++) {
            if (buffers[r].length != n) {
                throw new CollectiveException("rank " + rank + ": rank " + r + " all-reduces " + buffers[r].length
                        + " floats, this rank " + n);
            }
        }
        int from = (int) ((long) rank * n / size);
        int to = (int) ((long) (rank + 1) * n / size);
        float[] sum = buffers[0];
        for (int r = 1; r < size; r++) {
            float[] other = buffers[r];
            for (int i = from; i < to; i++) {
                sum[i] += other[i];
            }
        }
        for (int r = 1; r < size; r++) {
            System.arraycopy(sum, from, buffers[r], from, to - from);
        }
        await("the other ranks' sums");
    }

    private void await(String what) {
        try {
            group.barrier.await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + ": timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms waiting for " + what
                    + " (in-memory all-reduce)", e);
        } catch (BrokenBarrierException e) {
            throw new CollectiveException("rank " + rank + ": another rank of the in-memory all-reduce failed,"
                    + " timed out or closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank + ": interrupted while waiting for " + what, e);
        }
    }

    /** Leaves the group; a rank still waiting in it fails at once rather than at its timeout. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        group.buffers[rank] = null;
        GROUPS.remove(tag, group);
        group.barrier.reset();
    }

    /** Number of groups open in this JVM (for tests: closed groups must not stay). */
    static int openGroups() {
        return GROUPS.size();
    }

    private static final class Group {
        final float[][] buffers;
        final CyclicBarrier barrier;

        Group(int size) {
            buffers = new float[size][];
            barrier = new CyclicBarrier(size);
        }
    }
}
