package dptrain.worker.collective;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The mutual challenge-response that opens every ring connection. The connecting rank (the
 * predecessor, which will send data) and the accepting rank (the successor) each send a fresh
 * random nonce and prove knowledge of the secret with an HMAC-SHA256 over
 * (role, session tag, connector rank, acceptor rank, both nonces):
 *
 * <pre>
 * connector -> acceptor  HELLO    magic, version, connector rank, acceptor rank, connector nonce
 * acceptor  -> connector REPLY    acceptor nonce, HMAC("acceptor", ...)
 * connector -> acceptor  CONFIRM  HMAC("connector", ...)
 * acceptor  -> connector ACK      one byte
 * </pre>
 *
 * The secret never crosses the wire; each proof covers the other side's fresh nonce, so a
 * recorded handshake cannot be replayed; the role label keeps one side's proof from being
 * reflected as the other's; the session tag keeps peers of another job or stage attempt out. All
 * messages have fixed sizes, so nothing read from the network decides how much is read.
 *
 * <p>When the settings ask for encryption, the proofs' role labels say so (a rank that does not
 * agree fails authentication; the bytes exchanged are the same size) and both sides derive the
 * connection's frame key ({@link #frameKey}) from what only they know: the secret, and both fresh
 * nonces of this handshake.
 */
final class Handshake {

    static final int MAGIC = 0x44505443; // "DPTC"
    static final int VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;
    static final int HELLO_BYTES = 4 * Integer.BYTES + NONCE_BYTES;
    static final int REPLY_BYTES = NONCE_BYTES + MAC_BYTES;
    static final int CONFIRM_BYTES = MAC_BYTES;
    static final byte ACCEPTED = 1;

    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    static byte[] freshNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    static ByteBuffer hello(int connectorRank, int acceptorRank, byte[] connectorNonce) {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        hello.putInt(MAGIC).putInt(VERSION).putInt(connectorRank).putInt(acceptorRank).put(connectorNonce);
        return hello.flip();
    }

    static byte[] acceptorProof(CollectiveSettings settings, int connectorRank, int acceptorRank,
            byte[] connectorNonce, byte[] acceptorNonce) {
        return proof(role("dptrain-collective acceptor", settings), settings, connectorRank, acceptorRank,
                connectorNonce, acceptorNonce);
    }

    static byte[] connectorProof(CollectiveSettings settings, int connectorRank, int acceptorRank,
            byte[] connectorNonce, byte[] acceptorNonce) {
        return proof(role("dptrain-collective connector", settings), settings, connectorRank, acceptorRank,
                connectorNonce, acceptorNonce);
    }

    /**
     * The key material of the frames the connector sends the acceptor on this connection: an
     * HMAC-SHA256 under the job's secret (the extract step of HKDF is unneeded, the secret being
     * uniformly random) of a label naming the direction, the session tag, both ranks and both
     * nonces, so every connection, direction and session has its own key, and a recorded
     * session's frames cannot be replayed into another.
     */
    static byte[] frameKey(CollectiveSettings settings, int connectorRank, int acceptorRank,
            byte[] connectorNonce, byte[] acceptorNonce) {
        return proof("dptrain-collective frame key, connector to acceptor", settings, connectorRank, acceptorRank,
                connectorNonce, acceptorNonce);
    }

    private static String role(String label, CollectiveSettings settings) {
        return settings.encrypted() ? label + ", encrypted frames" : label;
    }

    /**
     * Runs the connector's side on a freshly connected {@code successor} and gives it the
     * connection's frame key; throws {@link CollectiveException} when the successor does not
     * prove the secret or rejects ours.
     */
    static void asConnector(PeerConnection successor, CollectiveSettings settings, int selfRank,
            long deadlineNanos) {
        int acceptorRank = successor.peerRank();
        byte[] connectorNonce = freshNonce();
        successor.writeFully(hello(selfRank, acceptorRank, connectorNonce), deadlineNanos, "handshake hello");

        ByteBuffer reply = ByteBuffer.allocate(REPLY_BYTES);
        successor.readFully(reply, deadlineNanos, "handshake reply");
        byte[] acceptorNonce = new byte[NONCE_BYTES];
        byte[] acceptorMac = new byte[MAC_BYTES];
        reply.flip();
        reply.get(acceptorNonce).get(acceptorMac);
        byte[] expected = acceptorProof(settings, selfRank, acceptorRank, connectorNonce, acceptorNonce);
        if (!MessageDigest.isEqual(expected, acceptorMac)) {
            throw successor.failure(successor.describePeer()
                    + " failed authentication (different secret, session tag or encryption setting)", null);
        }

        byte[] confirm = connectorProof(settings, selfRank, acceptorRank, connectorNonce, acceptorNonce);
        successor.writeFully(ByteBuffer.wrap(confirm), deadlineNanos, "handshake confirmation");
        ByteBuffer ack = ByteBuffer.allocate(1);
        successor.readFully(ack, deadlineNanos, "handshake acknowledgement");
        if (ack.get(0) != ACCEPTED) {
            throw successor.failure(successor.describePeer() + " refused this rank's handshake", null);
        }
        successor.keyFrames(frameKey(settings, selfRank, acceptorRank, connectorNonce, acceptorNonce));
    }

    private static byte[] proof(String role, CollectiveSettings settings, int connectorRank,
            int acceptorRank, byte[] connectorNonce, byte[] acceptorNonce) {
        return mac(settings, role, ByteBuffer.allocate(2 * Integer.BYTES).putInt(connectorRank).putInt(acceptorRank)
                .array(), connectorNonce, acceptorNonce);
    }

    /**
     * HMAC-SHA256 under the settings' secret of the label, the session tag and the parts, each
     * preceded by its length, so no two different lists give one message. Every proof of the
     * collective (the ring's handshake, the driver's rendezvous) is one of these, told apart by
     * its label.
     */
    static byte[] mac(CollectiveSettings settings, String label, byte[]... parts) {
        byte[] labelBytes = label.getBytes(StandardCharsets.UTF_8);
        byte[] tag = settings.sessionTag().getBytes(StandardCharsets.UTF_8);
        int length = 2 * Integer.BYTES + labelBytes.length + tag.length;
        for (byte[] part : parts) {
            length += Integer.BYTES + part.length;
        }
        ByteBuffer message = ByteBuffer.allocate(length);
        message.putInt(labelBytes.length).put(labelBytes).putInt(tag.length).put(tag);
        for (byte[] part : parts) {
            message.putInt(part.length).put(part);
        }
        return hmac(settings, message.array());
    }

    /** HMAC-SHA256 of {@code message} under the settings' secret (whose copy is wiped after use). */
    private static byte[] hmac(CollectiveSettings settings, byte[] message) {
        byte[] secret = settings.secret();
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
