package dptrain.driver.data;

import java.io.Serializable;

/**
 * The seeded train/validation split: row {@code i} is held out when {@code u(seed, i) < fraction},
 * with {@code u} a SplitMix64 hash of (seed, index) mapped to [0, 1). It depends only on the seed
 * and the row's index in the file, never on partitioning (unlike {@code randomSplit}), so the same
 * input and seed always give the same split, and a resumed run sees the same data.
 */
record ValidationSplit(long seed, double fraction) implements Serializable {

    boolean isValidation(long index) {
        return fraction > 0 && unit(seed, index) < fraction;
    }

    static double unit(long seed, long index) {
        long z = mix(seed ^ mix(index + 0x9E3779B97F4A7C15L));
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
