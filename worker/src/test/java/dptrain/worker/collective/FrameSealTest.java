package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameSealTest {

    private static final byte[] KEY = "frame key of exactly 32 bytes...".getBytes(StandardCharsets.UTF_8);
    private static final int FLOATS = 500;
    private static final int BYTES = FLOATS * Float.BYTES;

    @Test
    void clearFramesCarryTheFloatsRightAfterTheHeader() {
        FrameSeal clear = FrameSeal.clear();
        clear.payload().put(0, 1.5f);
        clear.seal(BYTES);
        assertEquals(1.5f, clear.frame.getFloat(RingCollective.HEADER_BYTES));
        assertEquals(0, clear.tagBytes());
        assertTrue(clear.open(BYTES));
    }

    @Test
    void sealedFramesOpenInOrderToTheSameFloatsAndNeverRepeatACiphertext() {
        FrameSeal sender = FrameSeal.aesGcm(KEY, true);
        FrameSeal receiver = FrameSeal.aesGcm(KEY, false);
        byte[] previous = null;
        for (int frame = 0; frame < 3; frame++) {
            byte[] wire = sealSame(sender, frame);
            assertFalse(Arrays.equals(previous, wire), "frame " + frame + " repeats the previous ciphertext");
            previous = wire;
            receiver.frame.clear().put(wire);
            assertTrue(receiver.open(BYTES), "frame " + frame);
            for (int i = 0; i < FLOATS; i++) {
                assertEquals(Float.floatToIntBits(i * 0.25f), Float.floatToIntBits(receiver.payload().get(i)));
            }
        }
    }

    @Test
    void aFrameOpenedOutOfOrderOrUnderAnotherKeyOrWithAnotherHeaderFails() {
        FrameSeal sender = FrameSeal.aesGcm(KEY, true);
        byte[] first = sealSame(sender, 0);
        byte[] second = sealSame(sender, 1);

        FrameSeal outOfOrder = FrameSeal.aesGcm(KEY, false);
        outOfOrder.frame.clear().put(second);
        assertFalse(outOfOrder.open(BYTES));

        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        FrameSeal wrongKey = FrameSeal.aesGcm(otherKey, false);
        wrongKey.frame.clear().put(first);
        assertFalse(wrongKey.open(BYTES));

        FrameSeal otherHeader = FrameSeal.aesGcm(KEY, false);
        byte[] changed = first.clone();
        changed[5] ^= 1; // the sequence number, in the authenticated header
        otherHeader.frame.clear().put(changed);
        assertFalse(otherHeader.open(BYTES));
    }

    /** Seals frame {@code sequence} of the same floats; the wire bytes, header included. */
    private static byte[] sealSame(FrameSeal sender, int sequence) {
        for (int i = 0; i < FLOATS; i++) {
            sender.payload().put(i, i * 0.25f);
        }
        sender.frame.clear();
        sender.frame.putInt(0, RingCollective.FRAME_MAGIC).putInt(4, sequence).putInt(8, FLOATS).putInt(12, BYTES);
        sender.seal(BYTES);
        byte[] wire = new byte[RingCollective.HEADER_BYTES + BYTES + FrameSeal.TAG_BYTES];
        ByteBuffer frame = sender.frame.duplicate().clear();
        frame.get(wire);
        return wire;
    }
}
