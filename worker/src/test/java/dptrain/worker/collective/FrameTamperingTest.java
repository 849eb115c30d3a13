package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An attacker between rank 0 and its successor ({@link TamperingRelay}) changes, replays,
 * reorders or truncates rank 0's encrypted frames: rank 1 refuses the frame with one line naming
 * it and the peer, and nothing of the bad frame reaches its buffer. With encryption off, the same
 * flipped bit is added silently: the contrast that shows the relay does what it says.
 */
class FrameTamperingTest {

    /** Two ranks, one frame per step: segments of 1000 floats. */
    private static final int LENGTH = 2000;
    private static final int SEGMENT = LENGTH / 2;
    private static final int SEALED_FRAME_BYTES = RingCollective.HEADER_BYTES + SEGMENT * Float.BYTES
            + FrameSeal.TAG_BYTES;
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"TAMPER, 0", "REPLAY, 1", "SWAP, 0", "TRUNCATE, 0"})
    void badFrameIsRefusedWithOneLineAndNothingOfItIsApplied(TamperingRelay.Attack attack, int badFrame)
            throws Exception {
        float[][] inputs = inputs();
        float[][] buffers = {inputs[0].clone(), inputs[1].clone()};
        List<Rings.Outcome<Object>> outcomes = reduceThroughRelay(attack, Rings.settings().withEncryption(true),
                SEALED_FRAME_BYTES, buffers);

        Throwable refused = outcomes.get(1).failure();
        assertNotNull(refused, attack + " went unnoticed");
        assertInstanceOf(CollectiveException.class, refused);
        assertEquals("rank 1: frame " + badFrame + " from predecessor rank 0 failed authentication"
                + " (tampered, replayed, reordered or truncated)", refused.getMessage());

        // Rank 1 receives segment 0 (added) in frame 0 and segment 1 (copied) in frame 1.
        float[] expected = inputs[1].clone();
        if (badFrame == 1) {
            for (int i = 0; i < SEGMENT; i++) {
                expected[i] += inputs[0][i];
            }
        }
        assertArrayEquals(expected, buffers[1], "rank 1 applied something of a frame that failed authentication");
    }

    @ParameterizedTest(name = "encrypted: {0}")
    @CsvSource({"false", "true"})
    void untouchedFramesThroughTheRelayGiveTheSum(boolean encrypted) throws Exception {
        float[][] inputs = inputs();
        float[][] buffers = {inputs[0].clone(), inputs[1].clone()};
        int frameBytes = encrypted ? SEALED_FRAME_BYTES : SEALED_FRAME_BYTES - FrameSeal.TAG_BYTES;
        List<Rings.Outcome<Object>> outcomes = reduceThroughRelay(TamperingRelay.Attack.NONE,
                Rings.settings().withEncryption(encrypted), frameBytes, buffers);
        assertNull(outcomes.get(0).failure());
        assertNull(outcomes.get(1).failure());
        assertArrayEquals(sum(inputs), buffers[0]);
        assertArrayEquals(sum(inputs), buffers[1]);
    }

    @ParameterizedTest(name = "in clear")
    @CsvSource({"TAMPER"})
    void withoutEncryptionATamperedFrameIsAddedSilently(TamperingRelay.Attack attack) throws Exception {
        float[][] inputs = inputs();
        float[][] buffers = {inputs[0].clone(), inputs[1].clone()};
        List<Rings.Outcome<Object>> outcomes = reduceThroughRelay(attack, Rings.settings(),
                SEALED_FRAME_BYTES - FrameSeal.TAG_BYTES, buffers);
        assertNull(outcomes.get(1).failure());
        assertArrayEquals(buffers[0], buffers[1], "the tampered sum still reaches both ranks");
        assertFalse(Arrays.equals(sum(inputs), buffers[1]), "the relay did not tamper");
    }

    /** One all-reduce of two ranks, rank 0 sending to rank 1 through a relay that does {@code attack}. */
    private static List<Rings.Outcome<Object>> reduceThroughRelay(TamperingRelay.Attack attack,
            CollectiveSettings settings, int frameBytes, float[][] buffers) throws Exception {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (TamperingRelay relay = new TamperingRelay(attack, frameBytes)) {
                InMemoryRendezvous rendezvous = new InMemoryRendezvous(2, Duration.ofSeconds(10));
                List<Collective> ring = Rings.open(2, settings, rank -> rank == 0
                        ? relay.intercepting(rendezvous.forRank(0), 1) : rendezvous.forRank(rank));
                try {
                    return Rings.onEveryRank(2, rank -> () -> {
                        ring.get(rank).allReduceSum(buffers[rank]);
                        return null;
                    });
                } finally {
                    Rings.closeAll(ring);
                }
            }
        });
    }

    private static float[][] inputs() {
        Random random = new Random(22);
        float[][] inputs = new float[2][LENGTH];
        for (float[] input : inputs) {
            for (int i = 0; i < LENGTH; i++) {
                input[i] = random.nextFloat() - 0.5f;
            }
        }
        return inputs;
    }

    private static float[] sum(float[][] inputs) {
        float[] sum = inputs[1].clone();
        for (int i = 0; i < LENGTH; i++) {
            sum[i] += inputs[0][i];
        }
        return sum;
    }
}
