package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver's rendezvous when the settings ask for encryption: its replies travel sealed. */
class EncryptedRendezvousTest {

    private static final String TAG = "job-1/epoch-3/attempt-1";

    private static CollectiveSettings encrypted() {
        return Rings.settings(Rings.SECRET, TAG).withEncryption(true);
    }

    private static String[] join(RendezvousServer server, CollectiveSettings settings, int rank) {
        return new DriverRendezvous(server.address(), settings, rank, 2, () -> false)
                .allGather("10.0.0." + rank + ":700" + rank);
    }

    @Test
    void encryptedRanksMeetAndFormAnEncryptedRing() {
        try (RendezvousServer server = RendezvousServer.start(encrypted(), 2, "127.0.0.1")) {
            List<Rings.Outcome<String[]>> met = Rings.onEveryRank(2, rank -> () -> join(server, encrypted(), rank));
            for (Rings.Outcome<String[]> outcome : met) {
                assertNull(outcome.failure());
                assertArrayEquals(new String[] {"10.0.0.0:7000", "10.0.0.1:7001"}, outcome.value());
            }
        }
        try (RendezvousServer server = RendezvousServer.start(encrypted(), 2, "127.0.0.1")) {
            List<Rings.Outcome<float[]>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                try (Collective ring = GroupFormation.form(rank, 2,
                        new DriverRendezvous(server.address(), encrypted(), rank, 2, () -> false),
                        Rings.settings().withEncryption(true), GroupFormation.SameJvm.TCP_RING)) {
                    float[] buffer = {rank + 1f, 10f * (rank + 1)};
                    ring.allReduceSum(buffer);
                    return buffer;
                }
            });
            for (Rings.Outcome<float[]> outcome : outcomes) {
                assertNull(outcome.failure());
                assertArrayEquals(new float[] {3f, 30f}, outcome.value());
            }
        }
    }

    @Test
    void aRankThatDoesNotEncryptIsTurnedAway() {
        try (RendezvousServer server = RendezvousServer.start(encrypted(), 2, "127.0.0.1")) {
            CollectiveException plain = assertThrows(CollectiveException.class,
                    () -> join(server, Rings.settings(Rings.SECRET, TAG), 0));
            assertEquals("rank 0: the driver's rendezvous at " + server.address() + " closed the connection before"
                    + " all 2 ranks arrived (the epoch attempt ended, or this rank's key, session tag or encryption"
                    + " setting is not the driver's)", plain.getMessage());
            assertEquals(1, server.rejectedConnections());
        }
    }

    @Test
    void aSealedReplyHidesTheAddressesAndRefusesAnyChange() {
        byte[] nonce = Handshake.freshNonce();
        byte[] iv = new byte[FrameSeal.NONCE_BYTES];
        byte[] body = "10.0.0.0:7000 and the rest of the list".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = RendezvousServer.sealReply(encrypted(), 1, nonce, iv, body);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("10.0.0.0"));
        assertArrayEquals(body, RendezvousServer.openReply(encrypted(), 1, nonce, iv, sealed));
        sealed[3] ^= 1;
        assertNull(RendezvousServer.openReply(encrypted(), 1, nonce, iv, sealed));
        sealed[3] ^= 1;
        assertNull(RendezvousServer.openReply(encrypted(), 0, nonce, iv, sealed), "another rank's key opened it");
    }
}
