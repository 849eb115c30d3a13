package dptrain.worker.collective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All-reduce on loopback next to a plain memory-copy ring, and the ring's latency and bandwidth
 * terms. A program, not a test: run its {@code main} by hand, e.g.
 * {@code java -cp worker/target/classes:worker/target/test-classes
 * dptrain.worker.collective.RingCollectiveBenchmark [ranks] [repetitions]}.
 *
 * <h2>What it measures</h2>
 * For each buffer length (small: 235k floats, the Fashion-MNIST MLP; 1M; 10M floats, a 40 MB
 * model) it alternates, repetition by repetition, the TCP ring (every rank a thread of this JVM,
 * on 127.0.0.1) and the memory-copy ring (the same segment schedule with {@code System.arraycopy}
 * and the additions, one thread, no sockets), and prints the median time per all-reduce and the
 * median throughput in GB/s of buffer reduced per rank (buffer bytes / time per call), and the
 * ratio TCP / memory-copy. Alternating side by side keeps the comparison fair on a noisy shared
 * machine; medians discard the repetitions another process disturbed.
 *
 * <h2>The latency (α) and bandwidth (β) terms</h2>
 * A ring all-reduce of B bytes over N ranks runs 2(N-1) steps (reduce-scatter, then all-gather),
 * each moving one segment of B/N bytes per link, so it is modelled as
 * <pre>
 *   T(B) = 2(N-1)·α + 2(N-1)/N · B/β
 * </pre>
 * α is the fixed cost per step (system calls, wake-ups, frame headers, the hand-off between
 * neighbours); β is the rate at which one rank moves and reduces segment bytes (socket copies in
 * and out, the copy into the frame, the addition). The program fits both from the median times of
 * the small (235k floats) and the large (10M floats) buffer: two equations, two unknowns. It also
 * prints the time of a tiny (256-float) all-reduce divided by 2(N-1), a direct reading of α, and
 * β of the large buffer with that α taken off: the pair a scaling model should use. On loopback the
 * two-point fit is not a good model and its α can come out negative: a 235k-float buffer (0.94 MB)
 * stays in the CPU caches while a 10M-float one (40 MB) runs at memory bandwidth, so the cost per
 * byte grows with size. Measured on the 2-core development machine (2 ranks, shared and noisy,
 * medians): α ≈ 5 µs per step, β ≈ 1.3–1.4 GB/s at 10M floats (≈ 2.7 GB/s at 235k floats, in
 * cache). With the network's own α and β in place of loopback's, the model predicts other
 * clusters: on loopback β is bounded by memory bandwidth and CPU, between machines by the link.
 */
public final class RingCollectiveBenchmark {

    /** Fashion-MNIST MLP 784-256-128-10 plus biases: about 235k parameters. */
    static final int SMALL = 235_146;
    static final int MEDIUM = 1_000_000;
    static final int LARGE = 10_000_000;
    static final int TINY = 256;

    private RingCollectiveBenchmark() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int[] lengths = {SMALL, MEDIUM, LARGE};
        if (args.length > 2) {
            lengths = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        }
        List<Collective> ring = Rings.open(size);
        try {
            System.out.printf("%d ranks, %d repetitions per size, medians; GB/s = buffer bytes / time per call%n",
                    size, repetitions);
            System.out.printf("%-10s %12s %12s %12s %12s %8s%n", "floats", "memcpy us", "memcpy GB/s",
                    "tcp us", "tcp GB/s", "ratio");
            double[] tcpMedian = new double[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                int length = lengths[i];
                float[][] buffers = filled(size, length);
                // About 0.2 s of work per repetition and ring; at least 3 calls.
                int calls = Math.max(3, (int) (2e8 / ((double) length * Float.BYTES) * 1.0));
                timeTcp(ring, buffers, Math.max(2, calls / 2)); // warm-up
                timeMemory(buffers, Math.max(2, calls / 2));
                double[] memory = new double[repetitions];
                double[] tcp = new double[repetitions];
                for (int r = 0; r < repetitions; r++) {
                    memory[r] = timeMemory(buffers, calls);
                    tcp[r] = timeTcp(ring, buffers, calls);
                }
                double memorySeconds = median(memory);
                double tcpSeconds = median(tcp);
                tcpMedian[i] = tcpSeconds;
                double bytes = (double) length * Float.BYTES;
                System.out.printf("%-10d %12.0f %12.2f %12.0f %12.2f %8.2f%n", length, memorySeconds * 1e6,
                        bytes / memorySeconds / 1e9, tcpSeconds * 1e6, bytes / tcpSeconds / 1e9,
                        memorySeconds / tcpSeconds);
            }
            if (lengths.length != 3) {
                return;
            }
            float[][] tiny = filled(size, TINY);
            timeTcp(ring, tiny, 2000);
            double[] tinyTimes = new double[repetitions];
            for (int r = 0; r < repetitions; r++) {
                tinyTimes[r] = timeTcp(ring, tiny, 2000);
            }
            double tinySeconds = median(tinyTimes);
            int steps = 2 * (size - 1);
            double perByte = (double) steps / size;
            double smallBytes = (double) SMALL * Float.BYTES;
            double largeBytes = (double) LARGE * Float.BYTES;
            double beta = perByte * (largeBytes - smallBytes) / (tcpMedian[2] - tcpMedian[0]);
            double alpha = (tcpMedian[0] - perByte * smallBytes / beta) / steps;
            System.out.printf("tiny all-reduce (%d floats): %.1f us per call, %.1f us per step%n", TINY,
                    tinySeconds * 1e6, tinySeconds * 1e6 / steps);
            System.out.printf("fit T(B) = 2(N-1)a + 2(N-1)/N B/b from %d and %d floats: "
                    + "alpha = %.1f us, beta = %.2f GB/s%n", SMALL, LARGE, alpha * 1e6, beta / 1e9);
            double tinyAlpha = tinySeconds / steps;
            double largeBeta = perByte * largeBytes / (tcpMedian[2] - steps * tinyAlpha);
            System.out.printf("for the scaling model: alpha = %.1f us (tiny call / 2(N-1)), "
                    + "beta = %.2f GB/s (%d floats, that alpha taken off)%n", tinyAlpha * 1e6,
                    largeBeta / 1e9, LARGE);
        } finally {
            Rings.closeAll(ring);
        }
    }

    static float[][] filled(int size, int length) {
        float[][] buffers = new float[size][length];
        for (float[] buffer : buffers) {
            Arrays.fill(buffer, 1e-3f);
        }
        return buffers;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Seconds per all-reduce over {@code calls} consecutive calls on every rank. */
    static double timeTcp(List<Collective> ring, float[][] buffers, int calls) {
        int size = ring.size();
        long start = System.nanoTime();
        List<Rings.Outcome<Object>> outcomes = Rings.onEveryRank(size, rank -> () -> {
            for (int call = 0; call < calls; call++) {
                ring.get(rank).allReduceSum(buffers[rank]);
            }
            return null;
        });
        long nanos = System.nanoTime() - start;
        List<Throwable> failures = new ArrayList<>();
        outcomes.forEach(outcome -> {
            if (outcome.failure() != null) {
                failures.add(outcome.failure());
            }
        });
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.get(0));
        }
        return nanos / 1e9 / calls;
    }

    private static double timeMemory(float[][] buffers, int calls) {
        long start = System.nanoTime();
        for (int call = 0; call < calls; call++) {
            memoryRing(buffers);
        }
        return (System.nanoTime() - start) / 1e9 / calls;
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
}
