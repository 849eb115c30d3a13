package dptrain.worker.collective;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ring all-reduce over TCP between the ranks of one barrier stage.
 *
 * <p>Rank r sends only to its successor (r+1) mod size and receives only from its predecessor
 * (r-1) mod size, over two authenticated connections (see {@link Handshake}). The buffer is cut
 * into {@code size} segments, segment s being {@code [s*n/size, (s+1)*n/size)}. A reduce-scatter
 * of size-1 steps leaves on each rank the full sum of one segment; an all-gather of size-1 steps
 * copies every finished segment around the ring. Each rank thus sends and receives
 * 2(size-1)/size of the buffer, whatever the size: bandwidth-optimal. Each segment's final sum is
 * computed by one rank and only copied afterwards, so the result is bit-identical everywhere.
 *
 * <p>Within a step, the segment going out is written by the collective's sender thread while the
 * calling thread receives and reduces the segment coming in, in chunks of
 * {@value #CHUNK_FLOATS} floats, so the two directions overlap and neither can block the other.
 * Frames are a 16-byte header (magic, sequence number, buffer length, payload length) followed by
 * little-endian float32 data; the receiver knows what must arrive and refuses anything else.
 *
 * <p>Not for concurrent use: calls are serialised. After any failure the collective is closed
 * and every later call fails; a Spark task then fails and the stage is retried with a new ring.
 */
public final class RingCollective implements Collective {

    /** Floats per frame: 256 KiB, large enough for throughput, small enough to overlap. */
    static final int CHUNK_FLOATS = 64 * 1024;
    static final int FRAME_MAGIC = 0x44505446; // "DPTF"
    static final int HEADER_BYTES = 4 * Integer.BYTES;
    /** Longest accepted "host:port" from the rendezvous. */
    private static final int MAX_ADDRESS_CHARS = 300;

    private final int rank;
    private final int size;
    private final long timeoutNanos;
    private final long rejectedConnections;
    private final ExecutorService sender;
    private final PeerConnection successor;
    private final PeerConnection predecessor;

    // Owned by the sender thread.
    private final ByteBuffer sendFrame;
    private final FloatBuffer sendPayload;
    private int sendSequence;

    // Owned by the calling thread (calls are synchronized).
    private final ByteBuffer receiveFrame;
    private final FloatBuffer receivePayload;
    private final float[] receiveScratch = new float[CHUNK_FLOATS];
    private int receiveSequence;

    private volatile boolean closed;
    private volatile CollectiveException failure;

    private RingCollective(int rank, int size, CollectiveSettings settings, long rejectedConnections,
            ExecutorService sender, PeerConnection successor, PeerConnection predecessor) {
        this.rank = rank;
        this.size = size;
        this.timeoutNanos = settings.timeoutNanos();
        this.rejectedConnections = rejectedConnections;
        this.sender = sender;
        this.successor = successor;
        this.predecessor = predecessor;
        int frameBytes = HEADER_BYTES + CHUNK_FLOATS * Float.BYTES;
        this.sendFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.sendPayload = payloadView(sendFrame);
        this.receiveFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.receivePayload = payloadView(receiveFrame);
    }

    private static FloatBuffer payloadView(ByteBuffer frame) {
        return frame.slice(HEADER_BYTES, frame.capacity() - HEADER_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    /**
     * Joins the group as {@code rank} of {@code size}: listens, exchanges addresses through
     * {@code rendezvous}, connects to the successor and accepts the predecessor, both
     * authenticated, within the settings' timeout (counted from the end of the rendezvous).
     * Every rank of the group must call this; a group of one needs no sockets.
     *
     * @throws CollectiveException when the ring cannot be formed in time
     */
    public static Collective open(int rank, int size, Rendezvous rendezvous, CollectiveSettings settings) {
        if (size < 1) {
            throw new IllegalArgumentException("size is " + size + "; it must be at least 1");
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank is " + rank + "; it must be in [0, " + size + ")");
        }
        Objects.requireNonNull(rendezvous, "rendezvous");
        Objects.requireNonNull(settings, "settings");
        if (size == 1) {
            return new SingleRankCollective();
        }
        int successorRank = (rank + 1) % size;
        int predecessorRank = (rank + size - 1) % size;
        Acceptor acceptor = Acceptor.bind(settings, rank, predecessorRank);
        ExecutorService sender = null;
        Future<PeerConnection> accepted = null;
        PeerConnection successor = null;
        try {
            String[] addresses = exchangeAddresses(rendezvous, acceptor.publishedAddress(), rank, size);
            InetSocketAddress successorAddress = parseAddress(addresses[successorRank], rank, successorRank);
            long deadline = System.nanoTime() + settings.timeoutNanos();
            sender = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "dptrain-collective-r" + rank);
                thread.setDaemon(true);
                return thread;
            });
            // Accept on the collective's thread while this one connects: every rank does both,
            // and a handshake needs the other side to answer.
            accepted = sender.submit(() -> acceptor.awaitPredecessor(deadline));
            successor = Connector.connect(successorAddress, settings, rank, successorRank, deadline);
            PeerConnection predecessor = awaitAccepted(accepted, rank, predecessorRank, settings);
            return new RingCollective(rank, size, settings, acceptor.rejectedConnections(), sender,
                    successor, predecessor);
        } catch (RuntimeException e) {
            acceptor.close();
            if (successor != null) {
                successor.close();
            }
            if (accepted != null) {
                discard(accepted);
            }
            if (sender != null) {
                sender.shutdownNow();
            }
            throw e;
        }
    }

    private static String[] exchangeAddresses(Rendezvous rendezvous, String address, int rank, int size) {
        String[] addresses;
        try {
            addresses = rendezvous.allGather(address);
        } catch (CollectiveException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CollectiveException("rank " + rank + ": address exchange failed: " + e, e);
        }
        if (addresses == null || addresses.length != size) {
            throw new CollectiveException("rank " + rank + ": address exchange returned "
                    + (addresses == null ? "null" : addresses.length + " addresses") + " for " + size + " ranks");
        }
        return addresses;
    }

    /** Parses "host:port" or "[ipv6]:port" published by rank {@code peer}. */
    static InetSocketAddress parseAddress(String address, int rank, int peer) {
        String problem = null;
        if (address == null || address.length() > MAX_ADDRESS_CHARS || address.lastIndexOf(':') <= 0) {
            problem = "it is not host:port";
        } else {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    problem = "port " + port + " is outside 1..65535";
                } else {
                    return new InetSocketAddress(InetAddress.getByName(host), port);
                }
            } catch (NumberFormatException e) {
                problem = "the port is not a number";
            } catch (IOException e) {
                problem = "the host does not resolve: " + e;
            }
        }
        String shown = address == null ? "null"
                : address.substring(0, Math.min(address.length(), 80));
        throw new CollectiveException("rank " + rank + ": rank " + peer + " published address '" + shown
                + "' but " + problem);
    }

    private static PeerConnection awaitAccepted(Future<PeerConnection> accepted, int rank,
            int predecessorRank, CollectiveSettings settings) {
        try {
            // The accept loop has the same deadline and gives up by itself; the margin only
            // guards against it never being scheduled.
            return accepted.get(settings.timeoutNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause(), rank, "waiting for predecessor rank " + predecessorRank);
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + ": timed out waiting for predecessor rank "
                    + predecessorRank + " to connect", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank + ": interrupted while waiting for predecessor rank "
                    + predecessorRank, e);
        }
    }

    private static void discard(Future<PeerConnection> accepted) {
        accepted.cancel(true);
        if (accepted.isDone() && !accepted.isCancelled()) {
            try {
                accepted.get().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException ignored) {
                // The accept itself failed: nothing to close.
            }
        }
    }

    private static CollectiveException rethrown(Throwable cause, int rank, String doing) {
        if (cause instanceof CollectiveException collective) {
            // A fresh exception so the caller's stack shows up too; the message stays first.
            return new CollectiveException(collective.getMessage(), collective);
        }
        return new CollectiveException("rank " + rank + ": failed " + doing + ": " + cause, cause);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Connections that reached this rank's port but failed the handshake (strangers, peers of
     * another job or attempt, wrong secret) while the ring was being formed.
     */
    public long rejectedConnections() {
        return rejectedConnections;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every rank must pass a buffer of the same length; a mismatch fails with
     * {@link CollectiveException}. Each wait for the neighbours is bounded by the timeout.
     */
    @Override
    public synchronized void allReduceSum(float[] buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (closed) {
            throw new IllegalStateException("rank " + rank + ": the collective is closed");
        }
        CollectiveException earlier = failure;
        if (earlier != null) {
            throw new CollectiveException("rank " + rank + ": the collective failed earlier: "
                    + earlier.getMessage(), earlier);
        }
        try {
            // Reduce-scatter: after step k, segment (rank-k-1) holds the sum over k+2 ranks.
            for (int step = 0; step < size - 1; step++) {
                exchange(buffer, segment(rank - step), segment(rank - step - 1), true, step);
            }
            // All-gather: rank owns the final sum of segment (rank+1) and passes it on.
            for (int step = 0; step < size - 1; step++) {
                exchange(buffer, segment(rank + 1 - step), segment(rank - step), false, step);
            }
        } catch (CollectiveException e) {
            fail(e);
            throw e;
        } catch (RuntimeException | Error e) {
            fail(new CollectiveException("rank " + rank + ": all-reduce failed: " + e, e));
            throw e;
        }
    }

    private int segment(int index) {
        return Math.floorMod(index, size);
    }

    private int segmentStart(int segment, int length) {
        return (int) ((long) segment * length / size);
    }

    private void exchange(float[] buffer, int sendSegment, int receiveSegment, boolean reduce, int step) {
        int n = buffer.length;
        int sendFrom = segmentStart(sendSegment, n);
        int sendTo = segmentStart(sendSegment + 1, n);
        String phase = reduce ? "reduce-scatter" : "all-gather";
        Future<?> sent = null;
        if (sendTo > sendFrom) {
            try {
                sent = sender.submit(() -> sendSegment(buffer, sendFrom, sendTo, phase, step));
            } catch (RejectedExecutionException e) {
                throw new CollectiveException("rank " + rank + ": the collective was closed during " + phase, e);
            }
        }
        receiveSegment(buffer, segmentStart(receiveSegment, n), segmentStart(receiveSegment + 1, n),
                reduce, phase, step);
        if (sent != null) {
            awaitSent(sent, phase, step);
        }
    }

    private void sendSegment(float[] buffer, int from, int to, String phase, int step) {
        for (int offset = from; offset < to; offset += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, to - offset);
            sendPayload.clear();
            sendPayload.put(buffer, offset, count);
            sendFrame.clear();
            sendFrame.putInt(0, FRAME_MAGIC)
                    .putInt(4, sendSequence)
                    .putInt(8, buffer.length)
                    .putInt(12, count * Float.BYTES);
            sendFrame.limit(HEADER_BYTES + count * Float.BYTES);
            successor.writeFully(sendFrame, phase + " data (step " + (step + 1) + " of " + (size - 1) + ")");
            sendSequence++;
        }
    }

    private void receiveSegment(float[] buffer, int from, int to, boolean reduce, String phase, int step) {
        for (int offset = from; offset < to; offset += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, to - offset);
            String what = phase + " data (step " + (step + 1) + " of " + (size - 1) + ")";
            receiveFrame.clear().limit(HEADER_BYTES);
            predecessor.readFully(receiveFrame, what);
            checkHeader(buffer.length, count * Float.BYTES, what);
            receiveFrame.limit(HEADER_BYTES + count * Float.BYTES);
            predecessor.readFully(receiveFrame, what);
            receivePayload.clear();
            if (reduce) {
                receivePayload.get(receiveScratch, 0, count);
                for (int i = 0; i < count; i++) {
                    buffer[offset + i] += receiveScratch[i];
                }
            } else {
                receivePayload.get(buffer, offset, count);
            }
            receiveSequence++;
        }
    }

    private void checkHeader(int length, int payloadBytes, String what) {
        int magic = receiveFrame.getInt(0);
        int sequence = receiveFrame.getInt(4);
        int peerLength = receiveFrame.getInt(8);
        int peerPayloadBytes = receiveFrame.getInt(12);
        String problem = null;
        if (magic != FRAME_MAGIC) {
            problem = String.format("a frame with magic 0x%08x instead of 0x%08x", magic, FRAME_MAGIC);
        } else if (sequence != receiveSequence) {
            problem = "frame " + sequence + " where frame " + receiveSequence + " was due";
        } else if (peerLength != length) {
            problem = "a buffer of " + peerLength + " floats where this rank reduces " + length;
        } else if (peerPayloadBytes != payloadBytes) {
            problem = "a payload of " + peerPayloadBytes + " bytes where " + payloadBytes + " were due";
        }
        if (problem != null) {
            throw predecessor.failure(predecessor.describePeer() + " sent " + problem + " in " + what, null);
        }
    }

    private void awaitSent(Future<?> sent, String phase, int step) {
        try {
            // The sender's own writes time out; the margin covers copying the segment.
            sent.get(timeoutNanos + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause(), rank, "sending " + phase + " data to successor rank "
                    + successor.peerRank());
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + ": timed out sending " + phase + " data (step "
                    + (step + 1) + ") to successor rank " + successor.peerRank(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank + ": interrupted while sending " + phase
                    + " data to successor rank " + successor.peerRank(), e);
        }
    }

    /** Records the first failure and releases everything, so neighbours fail fast too. */
    private void fail(CollectiveException cause) {
        if (failure == null) {
            failure = cause;
        }
        release();
    }

    /** Closes the sockets and stops the sender thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        release();
    }

    private void release() {
        successor.close();
        predecessor.close();
        sender.shutdownNow();
    }
}
