package dptrain.worker.collective;

import java.util.Arrays;
import java.util.List;

/**
 * The encrypted ring next to the plain one on loopback. A program, not a test: run its
 * {@code main} by hand, e.g. {@code java -cp worker/target/classes:worker/target/test-classes
 * dptrain.worker.collective.EncryptedRingBenchmark [ranks] [repetitions] [floats,...]}.
 *
 * <p>Both rings (every rank a thread of this JVM, on 127.0.0.1) stay open side by side; each
 * repetition times the plain ring, then the encrypted one, so load from other processes falls on
 * both alike; it prints the median time per all-reduce, the throughput in GB/s of buffer reduced
 * per rank, and encrypted / plain throughput. The default lengths are the Fashion-MNIST MLP
 * (235k floats), 1M and 10M floats. Last, the rate at which one thread seals and opens 1 MiB
 * frames ({@link FrameSeal}): on a real network each rank seals on one thread and opens on
 * another, so the encrypted ring keeps up with any link slower than the lesser of the two.
 */
public final class EncryptedRingBenchmark {

    private EncryptedRingBenchmark() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int[] lengths = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {RingCollectiveBenchmark.SMALL, RingCollectiveBenchmark.MEDIUM,
                    RingCollectiveBenchmark.LARGE};
        List<Collective> plain = Rings.open(size, Rings.settings());
        List<Collective> encrypted = Rings.open(size, Rings.settings().withEncryption(true));
        try {
            System.out.printf("%d ranks, %d repetitions per size, medians; GB/s = buffer bytes / time per call%n",
                    size, repetitions);
            System.out.printf("%-10s %12s %12s %14s %14s %8s%n", "floats", "plain us", "plain GB/s",
                    "encrypted us", "encrypted GB/s", "ratio");
            for (int length : lengths) {
                float[][] buffers = RingCollectiveBenchmark.filled(size, length);
                // About 0.2 s of work per repetition and ring; at least 3 calls.
                int calls = Math.max(3, (int) (2e8 / ((double) length * Float.BYTES)));
                RingCollectiveBenchmark.timeTcp(plain, buffers, Math.max(2, calls / 2)); // warm-up
                RingCollectiveBenchmark.timeTcp(encrypted, buffers, Math.max(2, calls / 2));
                double[] plainTimes = new double[repetitions];
                double[] encryptedTimes = new double[repetitions];
                for (int r = 0; r < repetitions; r++) {
                    plainTimes[r] = RingCollectiveBenchmark.timeTcp(plain, buffers, calls);
                    encryptedTimes[r] = RingCollectiveBenchmark.timeTcp(encrypted, buffers, calls);
                }
                double plainSeconds = RingCollectiveBenchmark.median(plainTimes);
                double encryptedSeconds = RingCollectiveBenchmark.median(encryptedTimes);
                double bytes = (double) length * Float.BYTES;
                System.out.printf("%-10d %12.0f %12.2f %14.0f %14.2f %8.2f%n", length, plainSeconds * 1e6,
                        bytes / plainSeconds / 1e9, encryptedSeconds * 1e6, bytes / encryptedSeconds / 1e9,
                        plainSeconds / encryptedSeconds);
            }
            sealingRate(repetitions);
        } finally {
            Rings.closeAll(plain);
            Rings.closeAll(encrypted);
        }
    }

    /** Prints the median rate, in GB/s of payload, at which one thread seals and opens 1 MiB frames. */
    private static void sealingRate(int repetitions) {
        byte[] key = new byte[32];
        FrameSeal sender = FrameSeal.aesGcm(key, true);
        FrameSeal receiver = FrameSeal.aesGcm(key, false);
        int bytes = RingCollective.LARGE_CHUNK_FLOATS * Float.BYTES;
        int frames = 100;
        double[] seal = new double[repetitions + 1];
        double[] open = new double[repetitions + 1];
        for (int r = 0; r <= repetitions; r++) { // the first round warms up
            long sealNanos = 0;
            long openNanos = 0;
            for (int f = 0; f < frames; f++) {
                long start = System.nanoTime();
                sender.seal(bytes);
                long sealed = System.nanoTime();
                receiver.frame.clear().put(sender.frame.duplicate().clear()
                        .limit(RingCollective.HEADER_BYTES + bytes + FrameSeal.TAG_BYTES));
                long copied = System.nanoTime();
                if (!receiver.open(bytes)) {
                    throw new IllegalStateException("frame " + f + " did not open");
                }
                openNanos += System.nanoTime() - copied;
                sealNanos += sealed - start;
            }
            seal[r] = (double) bytes * frames / sealNanos;
            open[r] = (double) bytes * frames / openNanos;
        }
        System.out.printf("AES-128-GCM on one thread, 1 MiB frames: seal %.2f GB/s, open %.2f GB/s%n",
                RingCollectiveBenchmark.median(Arrays.copyOfRange(seal, 1, seal.length)),
                RingCollectiveBenchmark.median(Arrays.copyOfRange(open, 1, open.length)));
    }
}
