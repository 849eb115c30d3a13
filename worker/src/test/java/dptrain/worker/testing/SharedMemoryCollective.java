package dptrain.worker.testing;

import dptrain.worker.collective.Collective;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process all-reduce over shared memory, summing in rank order: the reference the socket
 * ring is checked against, and a way to test the step's maths without sockets.
 */
public final class SharedMemoryCollective implements Collective {

    private final Group group;
    private final int rank;

    private SharedMemoryCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    public static SharedMemoryCollective[] group(int size) {
        Group group = new Group(size);
        SharedMemoryCollective[] members = new SharedMemoryCollective[size];
        for (int r = 0; r < size; r++) {
            members[r] = new SharedMemoryCollective(group, r);
        }
        return members;
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
        group.buffers[rank] = buffer.clone();
        await();
        float[] sum = new float[buffer.length];
        for (float[] contribution : group.buffers) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += contribution[i];
            }
        }
        await();
        System.arraycopy(sum, 0, buffer, 0, buffer.length);
    }

    private void await() {
        try {
            group.barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("shared-memory collective broken", e);
        }
    }

    @Override
    public void close() {
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
