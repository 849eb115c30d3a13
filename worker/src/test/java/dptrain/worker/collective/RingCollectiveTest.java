package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingCollectiveTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final int[] LENGTHS = {0, 1, 3, 7, 1000, 100003};

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void sumsEveryLengthExactlyAndIdenticallyOnEveryRank(int size) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(size);
            try {
                for (int i = 0; i < ring.size(); i++) {
                    assertEquals(i, ring.get(i).rank());
                    assertEquals(size, ring.get(i).size());
                }
                long seed = 1;
                for (int length : LENGTHS) {
                    // Two rounds per length: consecutive calls on the same collective.
                    for (int round = 0; round < 2; round++) {
                        assertAllReduceMatchesDoubleSum(ring, length, seed++);
                    }
                }
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void manyConsecutiveCallsOfMixedLengthsStayInStep() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(3);
            try {
                for (int call = 0; call < 50; call++) {
                    assertAllReduceMatchesDoubleSum(ring, LENGTHS[call % LENGTHS.length] + call, 100 + call);
                }
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void sumsLargeBuffersSpanningManyChunks() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(4);
            try {
                assertAllReduceMatchesDoubleSum(ring, 10 * RingCollective.CHUNK_FLOATS * 4 + 13, 7);
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void integerValuedInputsSumExactly() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(3);
            try {
                int length = 1001;
                List<Rings.Outcome<float[]>> results = Rings.onEveryRank(3, rank -> () -> {
                    float[] buffer = new float[length];
                    for (int i = 0; i < length; i++) {
                        buffer[i] = (rank + 1) * i;
                    }
                    ring.get(rank).allReduceSum(buffer);
                    return buffer;
                });
                for (Rings.Outcome<float[]> result : results) {
                    assertNull(result.failure());
                    for (int i = 0; i < length; i++) {
                        assertEquals(6f * i, result.value()[i]);
                    }
                }
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void closeIsIdempotentStopsItsThreadsAndRefusesFurtherCalls() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(3);
            assertTrue(collectiveThreadsAlive() >= 3);
            Rings.closeAll(ring);
            Rings.closeAll(ring);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (collectiveThreadsAlive() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, collectiveThreadsAlive());
            assertThrows(IllegalStateException.class, () -> ring.get(0).allReduceSum(new float[4]));
        });
    }

    private static long collectiveThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("dptrain-collective-r") && t.isAlive())
                .count();
    }

    /**
     * Gives every rank its own random data, all-reduces, and checks each element against the
     * sum in double precision (float addition of {@code size} terms errs by at most
     * (size-1) units of 2^-24 of the sum of magnitudes) and the ranks against each other bit by bit.
     */
    static void assertAllReduceMatchesDoubleSum(List<Collective> ring, int length, long seed) {
        int size = ring.size();
        float[][] inputs = new float[size][length];
        double[] exact = new double[length];
        double[] magnitude = new double[length];
        Random random = new Random(seed);
        for (int rank = 0; rank < size; rank++) {
            for (int i = 0; i < length; i++) {
                float value = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
                inputs[rank][i] = value;
                exact[i] += value;
                magnitude[i] += Math.abs(value);
            }
        }
        List<Rings.Outcome<float[]>> results = Rings.onEveryRank(size, rank -> () -> {
            float[] buffer = inputs[rank].clone();
            ring.get(rank).allReduceSum(buffer);
            return buffer;
        });
        for (Rings.Outcome<float[]> result : results) {
            if (result.failure() != null) {
                throw new AssertionError("all-reduce of " + length + " floats on " + size + " ranks failed",
                        result.failure());
            }
        }
        float[] first = results.get(0).value();
        assertEquals(length, first.length);
        double tolerance = Math.max(1, size - 1) * Math.ulp(1.0f) / 2;
        for (int i = 0; i < length; i++) {
            double error = Math.abs(first[i] - exact[i]);
            if (error > tolerance * magnitude[i]) {
                throw new AssertionError("element " + i + " of " + length + " on " + size + " ranks: " + first[i]
                        + " but the exact sum is " + exact[i]);
            }
        }
        for (int rank = 1; rank < size; rank++) {
            float[] other = results.get(rank).value();
            for (int i = 0; i < length; i++) {
                if (Float.floatToRawIntBits(other[i]) != Float.floatToRawIntBits(first[i])) {
                    throw new AssertionError("rank " + rank + " element " + i + " is " + other[i]
                            + " but rank 0 has " + first[i]);
                }
            }
        }
        if (size == 1) {
            assertArrayEquals(inputs[0], first);
        }
    }
}
