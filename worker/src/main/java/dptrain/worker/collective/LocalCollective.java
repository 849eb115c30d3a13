package dptrain.worker.collective;

import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The all-reduce of ranks that are all threads of one JVM (Spark local mode, or one executor that
 * runs every task of the epoch): through memory instead of TCP loopback. {@link GroupFormation}
 * chooses it when every rank published this JVM's {@link #JVM} id.
 *
 * <p>Each call: every rank publishes its buffer and waits for the others; rank r then adds
 * segment r of all buffers, in rank order, into rank 0's buffer and copies that sum into the
 * other ranks' buffers (segments are disjoint, so no element is written by two ranks), in one
 * pass for two ranks and block by block for more, so each sum is copied while still in the
 * cache; a second wait ends the call. Each element's sum is computed once, by one rank, so every
 * rank ends with the same bits. On the 2-vCPU build machine this moves the MLP's 0.94 MB gradient
 * in about 0.033 ms (0.046 ms summing and copying in two passes) against 0.3 ms through the
 * loopback ring ({@code RingStepProfile 32 6000 2 split memory|ring}, medians).
 *
 * <p>A waiting rank spins briefly (the other rank is usually microseconds away), then yields, then
 * naps; every wait is bounded by the timeout, and a rank that fails, times out or closes breaks
 * the waits of the others at once.
 */
final class LocalCollective implements Collective {

    /** Names this JVM in the rendezvous: ranks that all publish the same id share memory. */
    static final String JVM = UUID.randomUUID().toString();
    /** Waits shorter than this spin on the CPU. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /** Then, up to this, the waiting rank yields its core; after it, it naps {@link #NAP_NANOS} at a time. */
    static final long YIELD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Floats summed and copied out at a time with more than two ranks (16 KiB, well within L1). */
    private static final int BLOCK = 4096;

    private static final ConcurrentHashMap<String, Group> GROUPS = new ConcurrentHashMap<>();

    private final Group group;
    private final String tag;
    private final int rank;
    private final long timeoutNanos;
    private boolean closed;

    private LocalCollective(Group group, String tag, int rank, long timeoutNanos) {
        this.group = group;
        this.tag = tag;
        this.rank = rank;
        this.timeoutNanos = timeoutNanos;
    }

    /** Joins the group {@code tag} (one per epoch attempt) of this JVM as {@code rank} of {@code size}. */
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
                group.broken = true;
                throw new CollectiveException("rank " + rank + ": rank " + r + " all-reduces " + buffers[r].length
                        + " floats, this rank " + n);
            }
        }
        int from = (int) ((long) rank * n / size);
        int to = (int) ((long) (rank + 1) * n / size);
        if (size == 2) {
            sumPair(buffers[0], buffers[1], from, to);
        } else {
            float[] sum = buffers[0];
            // block by block, so the sums are copied out while they are still in the cache
            for (int block = from; block < to; block += BLOCK) {
                int end = Math.min(to, block + BLOCK);
                for (int r = 1; r < size; r++) {
                    float[] other = buffers[r];
                    for (int i = block; i < end; i++) {
                        sum[i] += other[i];
                    }
                }
                for (int r = 1; r < size; r++) {
                    System.arraycopy(sum, block, buffers[r], block, end - block);
                }
            }
        }
        await("the other ranks' sums");
    }

    /** Two ranks, the common case: each sum written to both buffers in one pass. */
    private static void sumPair(float[] first, float[] second, int from, int to) {
        for (int i = from; i < to; i++) {
            float sum = first[i] + second[i];
            first[i] = sum;
            second[i] = sum;
        }
    }

    /**
     * A barrier of the group's ranks. The last to arrive resets the count and then advances the
     * generation, so a rank that leaves and comes back at once counts towards the next round only.
     */
    private void await(String what) {
        Group g = group;
        int generation = g.generation.get();
        if (g.arrived.incrementAndGet() == g.buffers.length) {
            g.arrived.set(0);
            g.generation.incrementAndGet();
            return;
        }
        long start = System.nanoTime();
        while (g.generation.get() == generation) {
            if (g.broken) {
                if (g.generation.get() != generation) {
                    return; // the round completed before the other rank closed
                }
                throw new CollectiveException("rank " + rank + ": another rank of the in-memory all-reduce failed,"
                        + " timed out or closed");
            }
            long waited = System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (waited < YIELD_NANOS) {
                Thread.yield();
            } else if (waited > timeoutNanos) {
                g.broken = true;
                throw new CollectiveException("rank " + rank + ": timed out after "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms waiting for " + what
                        + " (in-memory all-reduce)");
            } else if (Thread.currentThread().isInterrupted()) {
                g.broken = true;
                throw new CollectiveException("rank " + rank + ": interrupted while waiting for " + what);
            } else {
                LockSupport.parkNanos(this, NAP_NANOS);
            }
        }
    }

    /** Leaves the group; a rank still waiting in it fails at once rather than at its timeout. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        group.broken = true;
        GROUPS.remove(tag, group);
    }

    /** Groups open in this JVM (tests: a closed group must not stay). */
    static int openGroups() {
        return GROUPS.size();
    }

    private static final class Group {
        final float[][] buffers;
        final AtomicInteger arrived = new AtomicInteger();
        final AtomicInteger generation = new AtomicInteger();
        volatile boolean broken;

        Group(int size) {
            buffers = new float[size][];
        }
    }
}
