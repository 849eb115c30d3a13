package dptrain.worker.step;

/**
 * {@code sum x_i^2} of a float array, for the global gradient norm (clipping, the divergence check,
 * monitoring) and per-layer norms: in float within blocks of {@value #BLOCK} (eight interleaved sums,
 * about three times faster than one double sum), the blocks added in double. A block whose float
 * sum overflows (elements above about 1e19) is redone in double, so only a really non-finite element
 * makes the result non-finite.
 */
final class SumOfSquares {

    private static final int BLOCK = 256;

    private SumOfSquares() {
    }

    /** Of {@code values[0, length)}. */
    static double of(float[] values, int length) {
        return of(values, 0, length);
    }

    /** Of {@code values[start, end)}. */
    static double of(float[] values, int start, int end) {
        double sum = 0;
        for (int from = start; from < end; from += BLOCK) {
            int to = Math.min(end, from + BLOCK);
            // eight running sums, so that the additions do not wait for each other
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
            int i = from;
            for (; i + 8 <= to; i += 8) {
                a0 += values[i] * values[i];
                a1 += values[i + 1] * values[i + 1];
                a2 += values[i + 2] * values[i + 2];
                a3 += values[i + 3] * values[i + 3];
                a4 += values[i + 4] * values[i + 4];
                a5 += values[i + 5] * values[i + 5];
                a6 += values[i + 6] * values[i + 6];
                a7 += values[i + 7] * values[i + 7];
            }
            for (; i < to; i++) {
                a0 += values[i] * values[i];
            }
            float block = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
            if (Float.isFinite(block)) {
                sum += block;
            } else {
                for (int j = from; j < to; j++) {
                    double x = values[j];
                    sum += x * x;
                }
            }
        }
        return sum;
    }
}
