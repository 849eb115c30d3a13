package dptrain.worker.collective;

import java.util.List;

/**
 * Prints all-reduce throughput on loopback next to a plain memory-copy ring (the same segment
 * schedule with {@code System.arraycopy} and the additions, no sockets), the baseline a later
 * issue compares against. A program, not a test: run its {@code main} by hand.
 */
public final class RingCollectiveBenchmark {

    private RingCollectiveBenchmark() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        List<Collective> ring = Rings.open(size);
        try {
            float[][] buffers = new float[size][length];
            for (int round = 0; round < 2; round++) {
                long start = System.nanoTime();
                for (int call = 0; call < calls; call++) {
                    Rings.onEveryRank(size, rank -> () -> {
                        ring.get(rank).allReduceSum(buffers[rank]);
                        return null;
                    }).forEach(outcome -> {
                        if (outcome.failure() != null) {
                            throw new IllegalStateException(outcome.failure());
                        }
                    });
                }
                report("ring over TCP", size, length, calls, System.nanoTime() - start);
                start = System.nanoTime();
                for (int call = 0; call < calls; call++) {
                    memoryRing(buffers);
                }
                report("memory-copy ring", size, length, calls, System.nanoTime() - start);
            }
        } finally {
            Rings.closeAll(ring);
        }
    }

    /** The ring schedule with array copies for messages, one thread. */
    private static void memoryRing(float[][] buffers) {
        int size = buffers.length;
        int n = buffers[0].length;
        float[] message = new float[n / size + 1];
        for (int step = 0; step < size - 1; step++) {
            for (int rank = 0; rank < size; rank++) {
                int segment = Math.floorMod(rank - step - 1, size);
                int from = (int) ((long) segment * n / size);
                int to = (int) ((long) (segment + 1) * n / size);
                float[] predecessor = buffers[Math.floorMod(rank - 1, size)];
                System.arraycopy(predecessor, from, message, 0, to - from);
                for (int i = from; i < to; i++) {
                    buffers[rank][i] += message[i - from];
                }
            }
        }
        for (int step = 0; step < size - 1; step++) {
            for (int rank = 0; rank < size; rank++) {
                int segment = Math.floorMod(rank - step, size);
                int from = (int) ((long) segment * n / size);
                int to = (int) ((long) (segment + 1) * n / size);
                System.arraycopy(buffers[Math.floorMod(rank - 1, size)], from, buffers[rank], from, to - from);
            }
        }
    }

    private static void report(String what, int size, int length, int calls, long nanos) {
        double seconds = nanos / 1e9;
        double megabytes = (double) length * Float.BYTES * calls / 1e6;
        System.out.printf("%-18s %d ranks, %d floats x %d calls: %.3f s, %.0f MB/s of buffer reduced per rank%n",
                what, size, length, calls, seconds, megabytes / seconds);
    }
}
