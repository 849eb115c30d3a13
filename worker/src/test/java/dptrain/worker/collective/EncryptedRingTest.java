package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The encrypted ring gives the plain ring's sums, bit for bit, and only with peers that also encrypt. */
class EncryptedRingTest {

    @ParameterizedTest(name = "{0} ranks, {1} floats")
    @CsvSource({
        "2, 1000",
        "3, 300001", // several frames per step, on the calling thread
        "2, 1048577", // the threaded path
        "3, 4194305" // the threaded path with large frames
    })
    void encryptedSumsEqualPlainSumsBitForBit(int size, int length) {
        float[][] plain = inputs(size, length);
        float[][] encrypted = inputs(size, length);
        reduceThreeTimes(Rings.open(size, Rings.settings()), plain);
        reduceThreeTimes(Rings.open(size, Rings.settings().withEncryption(true)), encrypted);
        for (int rank = 0; rank < size; rank++) {
            assertArrayEquals(plain[rank], encrypted[rank], "rank " + rank);
            assertArrayEquals(plain[0], encrypted[rank], "rank " + rank + " against rank 0");
        }
    }

    @Test
    void ringSaysWhetherItEncrypts() {
        List<Collective> plain = Rings.open(2, Rings.settings());
        List<Collective> encrypted = Rings.open(2, Rings.settings().withEncryption(true));
        try {
            assertFalse(((RingCollective) plain.get(0)).encrypted());
            assertTrue(((RingCollective) encrypted.get(1)).encrypted());
        } finally {
            Rings.closeAll(plain);
            Rings.closeAll(encrypted);
        }
    }

    @Test
    void rankThatDoesNotEncryptFailsAuthentication() {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(2, Duration.ofSeconds(10));
        List<Rings.Outcome<Collective>> outcomes = Rings.onEveryRank(2, rank -> () -> GroupFormation.form(rank, 2,
                rendezvous.forRank(rank), Rings.settings().withEncryption(rank == 0), GroupFormation.SameJvm.TCP_RING));
        outcomes.forEach(outcome -> {
            if (outcome.value() != null) {
                outcome.value().close();
            }
        });
        for (int rank = 0; rank < 2; rank++) {
            Throwable failure = outcomes.get(rank).failure();
            assertNotNull(failure, "rank " + rank + " joined a ring that disagrees on encryption");
            assertInstanceOf(CollectiveException.class, failure);
            assertEquals("rank " + rank + ": successor rank " + (1 - rank) + " failed authentication (different"
                    + " secret, session tag or encryption setting)", failure.getMessage());
        }
    }

    private static void reduceThreeTimes(List<Collective> ring, float[][] buffers) {
        try {
            for (int call = 0; call < 3; call++) {
                List<Rings.Outcome<Object>> outcomes = Rings.onEveryRank(ring.size(), rank -> () -> {
                    ring.get(rank).allReduceSum(buffers[rank]);
                    return null;
                });
                outcomes.forEach(outcome -> {
                    if (outcome.failure() != null) {
                        throw new AssertionError("all-reduce failed", outcome.failure());
                    }
                });
            }
        } finally {
            Rings.closeAll(ring);
        }
    }

    private static float[][] inputs(int size, int length) {
        Random random = new Random(length);
        float[][] inputs = new float[size][length];
        for (float[] input : inputs) {
            for (int i = 0; i < length; i++) {
                input[i] = (float) random.nextGaussian();
            }
        }
        return inputs;
    }
}
