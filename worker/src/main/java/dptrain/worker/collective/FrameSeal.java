package dptrain.worker.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What guards the payload of one direction of a ring connection, chosen once when the ring forms
 * ({@link CollectiveSettings#encrypted()}). A seal owns the wire frame of its half of the ring
 * and the float view the half fills or reads: in {@link #clear() clear}, that view lies inside the
 * frame, so frames are exactly what they were before encryption existed; with
 * {@link #aesGcm AES-GCM}, it lies in a scratch buffer the frame is encrypted from or decrypted
 * into, so nothing of a frame reaches the all-reduce's buffer before its tag has verified.
 *
 * <p>AES-GCM here: a 128-bit key per connection and direction (the key length Spark's own network
 * encryption uses by default; AES-256 costs a third more time per byte), taken from what the
 * authenticated handshake derives ({@link Handshake#frameKey}), so no two sessions share a key; a 96-bit nonce that is
 * the frame's number in that direction (never reused: a key lives for one ring and the counter
 * only grows); the 16-byte clear header (magic, sequence, buffer length, payload length) as
 * authenticated data; a 128-bit tag after the ciphertext. The receiver decrypts frame k with
 * nonce k whatever the header says, so a frame tampered with, replayed, dropped, swapped with
 * another or cut short fails its tag. One {@link Cipher} per seal is re-initialised per frame;
 * no buffer is allocated per frame (the JDK's {@code init} makes a few small objects).
 */
abstract class FrameSeal {

    /** Bytes of the AES-GCM tag after a sealed frame's ciphertext. */
    static final int TAG_BYTES = 16;
    static final int NONCE_BYTES = 12;
    /** AES-128: the first bytes of a derived key. */
    static final int KEY_BYTES = 16;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    /** The frame on the wire: header, then payload (clear or sealed). */
    final ByteBuffer frame = ByteBuffer.allocateDirect(
            RingCollective.HEADER_BYTES + RingCollective.LARGE_CHUNK_FLOATS * Float.BYTES + TAG_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);

    private FrameSeal() {
    }

    /** Frames whose payload travels in clear, as before encryption existed. */
    static FrameSeal clear() {
        return new Clear();
    }

    /**
     * AES-GCM frames under the first {@value #KEY_BYTES} bytes of {@code key} (copied), for the
     * sending half when {@code sending}, else for the receiving half.
     */
    static FrameSeal aesGcm(byte[] key, boolean sending) {
        return new AesGcm(key, sending);
    }

    /** Where the sending half puts a frame's floats, and the receiving half finds them once opened. */
    abstract FloatBuffer payload();

    /** Bytes a frame carries after its payload. */
    abstract int tagBytes();

    /** Whether the frame's header is authenticated, so that any header flaw counts as an attack. */
    abstract boolean authenticates();

    /**
     * Turns the payload of {@code payloadBytes} bytes into the frame's wire payload, after its
     * header has been written; the frame's limit is the caller's.
     */
    abstract void seal(int payloadBytes);

    /**
     * Verifies the complete frame just read, with a payload of {@code payloadBytes} bytes, and
     * makes its floats readable through {@link #payload()}; false when the frame is not the
     * authentic next one, and then nothing has been made readable.
     */
    abstract boolean open(int payloadBytes);

    /** The float view at {@code offset} of {@code buffer}, in the wire's byte order. */
    static FloatBuffer floatsOf(ByteBuffer buffer, int offset) {
        return buffer.slice(offset, buffer.capacity() - offset).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    private static final class Clear extends FrameSeal {
        private final FloatBuffer payload = floatsOf(frame, RingCollective.HEADER_BYTES);

        @Override
        FloatBuffer payload() {
            return payload;
        }

        @Override
        int tagBytes() {
            return 0;
        }

        @Override
        boolean authenticates() {
            return false;
        }

        @Override
        void seal(int payloadBytes) {
            // The payload was written into the frame itself.
        }

        @Override
        boolean open(int payloadBytes) {
            return true;
        }
    }

    private static final class AesGcm extends FrameSeal {
        private final ByteBuffer plain = ByteBuffer.allocateDirect(RingCollective.LARGE_CHUNK_FLOATS * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        private final FloatBuffer payload = floatsOf(plain, 0);
        /** The frame's header, the authenticated data. */
        private final ByteBuffer header = frame.slice(0, RingCollective.HEADER_BYTES);
        /** The frame after its header: ciphertext and tag. */
        private final ByteBuffer wire = frame.slice(RingCollective.HEADER_BYTES,
                frame.capacity() - RingCollective.HEADER_BYTES);
        private final SecretKeySpec key;
        private final Cipher cipher;
        private final int mode;
        private final byte[] nonce = new byte[NONCE_BYTES];
        /** Frames sealed or opened so far: the next frame's nonce. */
        private long frames;

        AesGcm(byte[] key, boolean sending) {
            this.key = new SecretKeySpec(key, 0, KEY_BYTES, "AES");
            this.mode = sending ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
            try {
                this.cipher = Cipher.getInstance(TRANSFORMATION);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(TRANSFORMATION + " is not available in this JVM", e);
            }
        }

        @Override
        FloatBuffer payload() {
            return payload;
        }

        @Override
        int tagBytes() {
            return TAG_BYTES;
        }

        @Override
        boolean authenticates() {
            return true;
        }

        @Override
        void seal(int payloadBytes) {
            start();
            plain.clear().limit(payloadBytes);
            wire.clear();
            try {
                cipher.doFinal(plain, wire);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM failed to seal a frame: " + e, e);
            }
        }

        @Override
        boolean open(int payloadBytes) {
            start();
            wire.clear().limit(payloadBytes + TAG_BYTES);
            plain.clear();
            try {
                cipher.doFinal(wire, plain);
                return true;
            } catch (AEADBadTagException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM failed to open a frame: " + e, e);
            }
        }

        /** Sets up the cipher for the next frame: its own nonce, the header as authenticated data. */
        private void start() {
            if (frames == Long.MAX_VALUE) {
                throw new IllegalStateException("AES-GCM nonces of this connection are exhausted");
            }
            Arrays.fill(nonce, 0, Integer.BYTES, (byte) 0);
            long counter = frames++;
            for (int i = NONCE_BYTES - 1; i >= Integer.BYTES; i--) {
                nonce[i] = (byte) counter;
                counter >>>= 8;
            }
            try {
                cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * Byte.SIZE, nonce));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM cannot start frame " + (frames - 1) + ": " + e, e);
            }
            header.clear();
            cipher.updateAAD(header);
        }
    }
}
