package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.GroupFormation.SameJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RingCollectiveFailureTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    /** How long past the timeout a failure may take to surface on a busy 2-core machine. */
    private static final long SLACK_MILLIS = 5_000;
    private static final long WITHIN_MILLIS = Rings.TIMEOUT.toMillis() + SLACK_MILLIS;

    @Test
    void wrongSecretFailsEveryRankInsteadOfHanging() {
        byte[] otherSecret = "another secret of 32 bytes......".getBytes(StandardCharsets.UTF_8);
        List<Rings.Outcome<Collective>> outcomes = openWithSettings(3,
                rank -> rank == 1 ? Rings.settings(otherSecret, Rings.settings().sessionTag()) : Rings.settings());

        assertFailedWithin(outcomes.get(0), "rank 0:", "successor rank 1 failed authentication");
        assertFailedWithin(outcomes.get(1), "rank 1:", "successor rank 2 failed authentication");
        assertFailedWithin(outcomes.get(2), "rank 2:", "predecessor rank 1");
    }

    @Test
    void peerOfAnotherStageAttemptIsRejected() {
        List<Rings.Outcome<Collective>> outcomes = openWithSettings(2,
                rank -> Rings.settings(Rings.SECRET, "job-1/stage-3/attempt-" + rank));

        assertFailedWithin(outcomes.get(0), "rank 0:", "successor rank 1 failed authentication");
        assertFailedWithin(outcomes.get(1), "rank 1:", "successor rank 0 failed authentication");
    }

    @Test
    void peerThatClosesMakesTheOthersFailPromptly() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(3);
            try {
                ring.get(2).close();
                List<Rings.Outcome<float[]>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                    float[] buffer = new float[1000];
                    ring.get(rank).allReduceSum(buffer);
                    return buffer;
                });
                assertFailedWithin(outcomes.get(0), "rank 0:", "rank 2");
                assertFailedWithin(outcomes.get(1), "rank 1:", "rank ");
                // A failed collective stays failed.
                CollectiveException again = assertThrows(CollectiveException.class,
                        () -> ring.get(0).allReduceSum(new float[1000]));
                assertTrue(again.getMessage().contains("failed earlier"), again.getMessage());
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void peerThatNeverCallsMakesTheOthersTimeOut() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(3);
            try {
                List<Rings.Outcome<float[]>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                    float[] buffer = new float[1000];
                    ring.get(rank).allReduceSum(buffer);
                    return buffer;
                });
                assertFailedWithin(outcomes.get(0), "rank 0:", "timed out");
                assertTrue(outcomes.get(0).failure().getMessage().contains("predecessor rank 2"),
                        outcomes.get(0).failure().getMessage());
                assertTrue(outcomes.get(0).millis() >= Rings.TIMEOUT.toMillis() - 100,
                        "rank 0 gave up after " + outcomes.get(0).millis() + " ms, before the timeout");
                assertFailedWithin(outcomes.get(1), "rank 1:", "rank 0");
                // The late rank finds its neighbours gone rather than waiting forever.
                long start = System.nanoTime();
                assertThrows(CollectiveException.class, () -> ring.get(2).allReduceSum(new float[1000]));
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < WITHIN_MILLIS);
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void buffersOfDifferentLengthsAreRefused() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = Rings.open(2);
            try {
                List<Rings.Outcome<float[]>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                    float[] buffer = new float[rank == 0 ? 1000 : 999];
                    ring.get(rank).allReduceSum(buffer);
                    return buffer;
                });
                assertFailedWithin(outcomes.get(0), "rank 0:", "predecessor rank 1 sent a buffer of 999 floats");
                assertFailedWithin(outcomes.get(1), "rank 1:", "predecessor rank 0 sent a buffer of 1000 floats");
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void strangersAtTheDoorAreRejectedAndCountedWhileTheRingForms() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            InMemoryRendezvous rendezvous = new InMemoryRendezvous(3, Duration.ofSeconds(10));
            List<Socket> strangers = new ArrayList<>();
            // Rank 0 is rank 1's predecessor: before it connects, strangers knock on rank 1's port.
            Rendezvous rank0 = message -> {
                String[] addresses = rendezvous.forRank(0).allGather(message);
                InetSocketAddress rank1 = PeerAddress.parse(addresses[1], 0, 1);
                try {
                    strangers.add(garbageSender(rank1));
                    strangers.add(silentVisitor(rank1));
                    strangers.add(impostor(rank1));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return addresses;
            };
            List<Rings.Outcome<Collective>> outcomes = Rings.onEveryRank(3, rank -> () -> GroupFormation.form(
                    rank, 3, rank == 0 ? rank0 : rendezvous.forRank(rank), Rings.settings(), SameJvm.TCP_RING));
            List<Collective> ring = new ArrayList<>();
            try {
                for (Rings.Outcome<Collective> outcome : outcomes) {
                    assertNull(outcome.failure());
                    ring.add(outcome.value());
                }
                assertEquals(0, ((RingCollective) ring.get(0)).rejectedConnections());
                assertEquals(3, ((RingCollective) ring.get(1)).rejectedConnections());
                assertEquals(0, ((RingCollective) ring.get(2)).rejectedConnections());
                RingCollectiveTest.assertAllReduceMatchesDoubleSum(ring, 1000, 42);
            } finally {
                Rings.closeAll(ring);
                for (Socket stranger : strangers) {
                    stranger.close();
                }
            }
        });
    }

    @Test
    void oversizedFrameLengthIsRefused() {
        ByteBuffer header = ByteBuffer.allocate(RingCollective.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(RingCollective.FRAME_MAGIC).putInt(0).putInt(1000).putInt(Integer.MAX_VALUE).flip();
        CollectiveException failure = rank0AgainstForgedPeer(header);
        assertTrue(failure.getMessage().startsWith("rank 0:"), failure.getMessage());
        assertTrue(failure.getMessage().contains("predecessor rank 1 sent a payload of 2147483647 bytes"),
                failure.getMessage());
    }

    @Test
    void garbageFrameIsRefused() {
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 0x7f);
        CollectiveException failure = rank0AgainstForgedPeer(ByteBuffer.wrap(garbage));
        assertTrue(failure.getMessage().contains("predecessor rank 1 sent a frame with magic 0x7f7f7f7f"),
                failure.getMessage());
    }

    @Test
    void frameOutOfSequenceIsRefused() {
        ByteBuffer header = ByteBuffer.allocate(RingCollective.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(RingCollective.FRAME_MAGIC).putInt(7).putInt(1000).putInt(500 * Float.BYTES).flip();
        CollectiveException failure = rank0AgainstForgedPeer(header);
        assertTrue(failure.getMessage().contains("frame 7 where frame 0 was due"), failure.getMessage());
    }

    /**
     * A real rank 0 and a forged rank 1 that authenticates properly (it knows the secret) and
     * then sends {@code forged} as its first frame; returns what rank 0's all-reduce threw.
     */
    private static CollectiveException rank0AgainstForgedPeer(ByteBuffer forged) {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            InMemoryRendezvous rendezvous = new InMemoryRendezvous(2, Duration.ofSeconds(10));
            CollectiveSettings settings = Rings.settings();
            ExecutorService threads = Executors.newSingleThreadExecutor();
            Acceptor acceptor = Acceptor.bind(settings, 1, 0);
            PeerConnection toRank0 = null;
            PeerConnection fromRank0 = null;
            try {
                Future<Collective> rank0 = threads.submit(
                        () -> GroupFormation.form(0, 2, rendezvous.forRank(0), settings, SameJvm.TCP_RING));
                String[] addresses = rendezvous.forRank(1).allGather(acceptor.publishedAddress());
                long deadline = System.nanoTime() + settings.timeoutNanos();
                toRank0 = Connector.connect(PeerAddress.parse(addresses[0], 1, 0), settings, 1, 0, deadline);
                fromRank0 = acceptor.awaitPredecessor(deadline);
                Collective collective = rank0.get();
                try {
                    toRank0.writeFully(forged, "forged frame");
                    long start = System.nanoTime();
                    CollectiveException failure = assertThrows(CollectiveException.class,
                            () -> collective.allReduceSum(new float[1000]));
                    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < WITHIN_MILLIS);
                    return failure;
                } finally {
                    collective.close();
                }
            } finally {
                acceptor.close();
                if (toRank0 != null) {
                    toRank0.close();
                }
                if (fromRank0 != null) {
                    fromRank0.close();
                }
                threads.shutdownNow();
            }
        });
    }

    private static List<Rings.Outcome<Collective>> openWithSettings(int size,
            java.util.function.IntFunction<CollectiveSettings> settings) {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(size, Duration.ofSeconds(10));
        List<Rings.Outcome<Collective>> outcomes = assertTimeoutPreemptively(HANG_GUARD,
                () -> Rings.onEveryRank(size, rank -> (Callable<Collective>) () ->
                        GroupFormation.form(rank, size, rendezvous.forRank(rank), settings.apply(rank),
                                SameJvm.TCP_RING)));
        outcomes.forEach(o -> {
            if (o.value() != null) {
                o.value().close();
            }
        });
        return outcomes;
    }

    private static void assertFailedWithin(Rings.Outcome<?> outcome, String prefix, String fragment) {
        assertNull(outcome.value(), "expected a failure, got " + outcome.value());
        CollectiveException failure = assertInstanceOf(CollectiveException.class, outcome.failure());
        String message = failure.getMessage();
        assertTrue(message.startsWith(prefix), message);
        assertTrue(message.contains(fragment), "expected '" + fragment + "' in: " + message);
        assertTrue(outcome.millis() < WITHIN_MILLIS,
                "failed after " + outcome.millis() + " ms, timeout is " + Rings.TIMEOUT.toMillis() + " ms");
    }

    private static Socket garbageSender(InetSocketAddress target) throws IOException {
        Socket socket = new Socket(target.getAddress(), target.getPort());
        byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte) 'A');
        socket.getOutputStream().write(garbage);
        socket.getOutputStream().flush();
        return socket;
    }

    private static Socket silentVisitor(InetSocketAddress target) throws IOException {
        return new Socket(target.getAddress(), target.getPort());
    }

    /** Says the right hello, then cannot prove the secret. */
    private static Socket impostor(InetSocketAddress target) throws IOException {
        Socket socket = new Socket(target.getAddress(), target.getPort());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(Handshake.hello(0, 1, Handshake.freshNonce()).array());
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = in.readNBytes(Handshake.REPLY_BYTES);
        assertEquals(Handshake.REPLY_BYTES, reply.length);
        out.write(new byte[Handshake.CONFIRM_BYTES]);
        out.flush();
        return socket;
    }
}
