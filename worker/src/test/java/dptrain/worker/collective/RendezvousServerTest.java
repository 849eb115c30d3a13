package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The driver's rendezvous against real sockets: who meets, who is turned away, and with which line. */
class RendezvousServerTest {

    private static final String TAG = "job-1/epoch-3/attempt-1";

    private static CollectiveSettings settings(String tag, byte[] secret, Duration timeout) {
        return new CollectiveSettings(secret, tag, Rings.loopback(), timeout);
    }

    private static CollectiveSettings settings() {
        return settings(TAG, Rings.SECRET, Rings.TIMEOUT);
    }

    private static RendezvousServer server(int size) {
        return RendezvousServer.start(settings(), size, "127.0.0.1");
    }

    private static String[] join(RendezvousServer server, CollectiveSettings settings, int rank, int size) {
        return new DriverRendezvous(server.address(), settings, rank, size, () -> false)
                .allGather("10.0.0." + rank + ":" + (7000 + rank));
    }

    private static final String[] THREE = {"10.0.0.0:7000", "10.0.0.1:7001", "10.0.0.2:7002"};

    @Test
    void everyRankGetsEveryAddressInRankOrder() {
        try (RendezvousServer server = server(3)) {
            List<Rings.Outcome<String[]>> outcomes = Rings.onEveryRank(3, rank -> () -> join(server, settings(), rank, 3));
            for (Rings.Outcome<String[]> outcome : outcomes) {
                assertNull(outcome.failure());
                assertArrayEquals(THREE, outcome.value());
            }
            assertEquals(0, server.rejectedConnections());
        }
    }

    @Test
    void aRingFormsThroughIt() {
        try (RendezvousServer server = server(2)) {
            List<Rings.Outcome<float[]>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                try (Collective ring = GroupFormation.form(rank, 2,
                        new DriverRendezvous(server.address(), settings(), rank, 2, () -> false), settings(),
                        GroupFormation.SameJvm.TCP_RING)) {
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
    void aRankWithAnotherKeyOrAnotherAttemptIsTurnedAwayAndTheOthersStillMeet() {
        byte[] otherSecret = "another secret, 32 bytes long...".getBytes(StandardCharsets.UTF_8);
        try (RendezvousServer server = server(2)) {
            CollectiveException wrongKey = assertThrows(CollectiveException.class,
                    () -> join(server, settings(TAG, otherSecret, Rings.TIMEOUT), 0, 2));
            CollectiveException wrongAttempt = assertThrows(CollectiveException.class,
                    () -> join(server, settings("job-1/epoch-3/attempt-2", Rings.SECRET, Rings.TIMEOUT), 1, 2));
            String closed = " closed the connection before all 2 ranks arrived (the epoch attempt ended, or this"
                    + " rank's key, session tag or encryption setting is not the driver's)";
            assertEquals("rank 0: the driver's rendezvous at " + server.address() + closed, wrongKey.getMessage());
            assertEquals("rank 1: the driver's rendezvous at " + server.address() + closed, wrongAttempt.getMessage());
            assertEquals(2, server.rejectedConnections());
            for (Rings.Outcome<String[]> outcome : Rings.onEveryRank(2, rank -> () -> join(server, settings(), rank, 2))) {
                assertArrayEquals(new String[] {"10.0.0.0:7000", "10.0.0.1:7001"}, outcome.value());
            }
        }
    }

    @Test
    void aSilentStrangerDoesNotHoldUpTheRanks() throws Exception {
        try (RendezvousServer server = server(2); Socket stranger = new Socket()) {
            stranger.connect(PeerAddress.resolve(server.address()));
            for (Rings.Outcome<String[]> outcome : Rings.onEveryRank(2, rank -> () -> join(server, settings(), rank, 2))) {
                assertNull(outcome.failure());
                assertArrayEquals(new String[] {"10.0.0.0:7000", "10.0.0.1:7001"}, outcome.value());
            }
        }
    }

    @Test
    void aRankOfAnotherSizeAndALateRankAreRefusedWithTheReason() {
        try (RendezvousServer server = server(2)) {
            CollectiveException wrongSize = assertThrows(CollectiveException.class, () -> join(server, settings(), 0, 3));
            assertEquals("rank 0: the driver's rendezvous at " + server.address() + " refused this rank: rank 0 of 3"
                    + " asked to join, but this epoch has 2 ranks", wrongSize.getMessage());
            Rings.onEveryRank(2, rank -> () -> join(server, settings(), rank, 2));
            CollectiveException late = assertThrows(CollectiveException.class, () -> join(server, settings(), 1, 2));
            assertEquals("rank 1: the driver's rendezvous at " + server.address() + " refused this rank: the ranks of"
                    + " this epoch attempt have already met", late.getMessage());
        }
    }

    @Test
    void aLoneRankTimesOut() {
        try (RendezvousServer server = server(2)) {
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> join(server, settings(TAG, Rings.SECRET, Duration.ofSeconds(1)), 0, 2));
            assertEquals("rank 0: timed out after 1 s waiting at the driver's rendezvous " + server.address()
                    + " for the other ranks of 2", e.getMessage());
        }
    }

    @Test
    void aCancelledRankStopsWaiting() {
        AtomicBoolean cancelled = new AtomicBoolean();
        try (RendezvousServer server = server(2)) {
            Thread canceller = new Thread(() -> {
                sleep(300);
                cancelled.set(true);
            });
            canceller.start();
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> new DriverRendezvous(server.address(), settings(), 1, 2, cancelled::get).allGather("h:1"));
            assertEquals("rank 1: cancelled while waiting at the driver's rendezvous", e.getMessage());
        }
    }

    @Test
    void closingTheServerReleasesAWaitingRank() {
        RendezvousServer server = server(2);
        Thread closer = new Thread(() -> {
            sleep(300);
            server.close();
        });
        closer.start();
        CollectiveException e = assertThrows(CollectiveException.class, () -> join(server, settings(), 0, 2));
        assertEquals("rank 0: the driver's rendezvous at " + server.address() + " closed the connection before all 2"
                + " ranks arrived (the epoch attempt ended, or this rank's key, session tag or encryption"
                + " setting is not the driver's)",
                e.getMessage());
    }

    @Test
    void aReplyWithoutTheKeyIsRefused() throws Exception {
        try (ServerSocket impostor = new ServerSocket(0, 1, Rings.loopback())) {
            Thread answer = new Thread(() -> {
                try (Socket socket = impostor.accept()) {
                    assertEquals(RendezvousServer.MAGIC, new DataInputStream(socket.getInputStream()).readInt());
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeByte(RendezvousServer.MET);
                    for (String address : new String[] {"10.9.9.9:1", "10.9.9.9:2"}) {
                        out.writeInt(address.length());
                        out.write(address.getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(new byte[32]);
                    out.flush();
                    sleep(500);
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            answer.start();
            String address = "127.0.0.1:" + impostor.getLocalPort();
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> new DriverRendezvous(address, settings(), 0, 2, () -> false).allGather("h:1"));
            assertEquals("rank 0: the reply of the driver's rendezvous at " + address + " failed authentication",
                    e.getMessage());
        }
    }

    @Test
    void anUnusableDriverAddressIsNamed() {
        CollectiveException e = assertThrows(CollectiveException.class,
                () -> new DriverRendezvous("nonsense", settings(), 0, 2, () -> false).allGather("h:1"));
        assertEquals("rank 0: the driver's rendezvous address 'nonsense' is unusable: it is not host:port",
                e.getMessage());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
