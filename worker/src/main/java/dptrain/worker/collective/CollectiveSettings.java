package dptrain.worker.collective;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How the ranks of a group ({@link GroupFormation}) meet and trust each other.
 *
 * @param secret the per-job shared secret, at least {@value #MIN_SECRET_BYTES} bytes; it is used
 *     only as an HMAC-SHA256 key and never sent over the network. The record keeps its own copy
 *     and {@link #secret()} returns a copy.
 * @param sessionTag identifies the job and the stage attempt; peers with another tag fail
 *     authentication, so a straggler of an earlier attempt cannot join a newer ring
 * @param bindAddress the local address to listen on (an ephemeral port is chosen); the wildcard
 *     address is used only when it is passed here, and then this host's address is published
 * @param timeout the bound on every wait: connecting, accepting, and each read and write. It
 *     also bounds how long a rank waits for a slower peer to reach the same call, so it must
 *     exceed the largest expected skew between ranks
 * @param encrypted whether every frame after the handshake is encrypted and authenticated
 *     ({@link FrameSeal}); every rank of a group, and the driver's rendezvous, must agree, and the
 *     handshake's proofs cover it, so a rank that does not agree fails authentication rather than
 *     exchanging frames it cannot read
 */
public record CollectiveSettings(
        byte[] secret, String sessionTag, InetAddress bindAddress, Duration timeout, boolean encrypted) {

    /** Shortest accepted secret, in bytes (128 bits). */
    public static final int MIN_SECRET_BYTES = 16;

    public CollectiveSettings {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(sessionTag, "sessionTag");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(timeout, "timeout");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secret has " + secret.length
                    + " bytes; at least " + MIN_SECRET_BYTES + " are required");
        }
        if (sessionTag.isBlank()) {
            throw new IllegalArgumentException("sessionTag is blank; it must name the job and stage attempt");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout is " + timeout + "; it must be positive");
        }
        secret = secret.clone();
    }

    /** Settings whose frames travel in clear after the authenticated handshake. */
    public CollectiveSettings(byte[] secret, String sessionTag, InetAddress bindAddress, Duration timeout) {
        this(secret, sessionTag, bindAddress, timeout, false);
    }

    /** These settings with frames encrypted, or not. */
    public CollectiveSettings withEncryption(boolean encrypt) {
        return new CollectiveSettings(secret, sessionTag, bindAddress, timeout, encrypt);
    }

    /** A copy of the secret. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The timeout in nanoseconds, saturated for absurdly long durations. */
    long timeoutNanos() {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CollectiveSettings that
                && MessageDigest.isEqual(secret, that.secret)
                && sessionTag.equals(that.sessionTag)
                && bindAddress.equals(that.bindAddress)
                && timeout.equals(that.timeout)
                && encrypted == that.encrypted;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(secret), sessionTag, bindAddress, timeout, encrypted);
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "CollectiveSettings[secret=<" + secret.length + " bytes>, sessionTag=" + sessionTag
                + ", bindAddress=" + bindAddress + ", timeout=" + timeout + ", encrypted=" + encrypted + "]";
    }
}
