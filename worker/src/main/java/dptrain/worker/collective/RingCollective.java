package dptrain.worker.collective;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

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
 * <p>Segments travel in frames of a fixed number of floats (see {@link #frameFloats}), and the
 * steps are pipelined frame by frame: the segment a rank sends in step k+1 is the one it receives
 * in step k, so each frame of it goes out as soon as the matching frame has arrived and been
 * added, without waiting for the rest of the step. Below {@link #THREADED_FLOATS} the calling
 * thread drives both directions with non-blocking sockets: it writes whatever the successor's
 * socket takes, reads whatever the predecessor has sent, adds from the receive buffer, and only
 * when neither moves does it retry briefly, yielding the core, and then wait on one selector for
 * either socket. No thread hand-off is on that path, which keeps small all-reduces cheap; writes
 * come before reads, so a rank's first frame is out before anything it reads can make it fail.
 * Large buffers are sent by the collective's own thread (one hand-off per call), which takes each
 * frame as soon as the receiving thread reports its data final, so the copies into and out of the
 * sockets run in parallel. Frames are a 16-byte header (magic,
 * sequence number, buffer length, payload length) followed by little-endian float32 data; the
 * receiver knows what must arrive, reads at most that, and refuses anything else.
 *
 * <p>Not for concurrent use: calls are serialised. After any failure the collective is closed
 * and every later call fails; a Spark task then fails and the stage is retried with a new ring.
 */
public final class RingCollective implements Collective {

    /** Floats per frame below {@link #LARGE_BUFFER_FLOATS}: 256 KiB, so steps overlap finely. */
    static final int CHUNK_FLOATS = 64 * 1024;
    /** Floats per frame for large buffers: 1 MiB, fewer system calls and wake-ups per byte. */
    static final int LARGE_CHUNK_FLOATS = 256 * 1024;
    /**
     * Buffers of at least this many floats are sent by the collective's own thread, pipelined
     * against the calling thread's receiving, so copies in and out run in parallel; smaller ones
     * are cheaper without the hand-off.
     */
    static final int THREADED_FLOATS = 1 << 20;
    /** Buffers of at least this many floats use {@link #LARGE_CHUNK_FLOATS}. */
    static final int LARGE_BUFFER_FLOATS = 4 * 1024 * 1024;
    static final int FRAME_MAGIC = 0x44505446; // "DPTF"
    static final int HEADER_BYTES = 4 * Integer.BYTES;
    /**
     * How long to retry the sockets without blocking (yielding the core between tries) before
     * waiting on the selector: a neighbour's reply usually comes sooner than a wake-up would.
     */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Floats added per block: a bulk copy into an L1-sized scratch array, then a vectorised add. */
    private static final int ADD_BLOCK_FLOATS = 4 * 1024;
    /** Longest accepted "host:port" from the rendezvous. */
    static final int MAX_ADDRESS_CHARS = 300;
    /** Between a rank's "host:port" and its JVM's id in what it publishes. */
    private static final String JVM_SEPARATOR = " ";

    private final int rank;
    private final int size;
    private final int steps;
    private final long timeoutNanos;
    private final long rejectedConnections;
    /** Accepted the predecessor while the ring formed; sends large buffers; stopped by {@link #close()}. */
    private final ExecutorService sender;
    private final PeerConnection successor;
    private final PeerConnection predecessor;
    /** Both sockets registered once, for the joint wait when neither can move. */
    private final Selector waiter;
    private final SelectionKey successorKey;
    private final SelectionKey predecessorKey;
    /** "reduce-scatter data (step 1 of 2)" and so on, per step, for messages. */
    private final String[] stepNames;

    // All below is owned by the thread inside allReduceSum (calls are synchronized).
    private final ByteBuffer sendFrame;
    private final FloatBuffer sendPayload;
    private int sendSequence;
    private final ByteBuffer receiveFrame;
    private final FloatBuffer receivePayload;
    private final float[] addScratch = new float[ADD_BLOCK_FLOATS];
    private int receiveSequence;

    // Progress of the current call.
    /** Step whose segment is being framed, and how many of its floats are framed. */
    private int sendStep;
    private int sendDone;
    /** Step of the frame in {@link #sendFrame}. */
    private int framedStep;
    /** Step whose segment is being received, how many of its floats are final. */
    private int receiveStep;
    private int receiveDone;
    /** Floats in the frame being read; 0 between frames. */
    private int receiveCount;
    private boolean receiveHeaderChecked;
    /** (receiveStep << 32) | receiveDone, for the sender thread. */
    private volatile long receiveProgress;
    /** The sender thread while it waits for {@link #receiveProgress}, so the receiver can wake it. */
    private volatile Thread parkedSender;

    private volatile boolean closed;
    private volatile CollectiveException failure;

    private RingCollective(int rank, int size, CollectiveSettings settings, long rejectedConnections,
            ExecutorService sender, PeerConnection successor, PeerConnection predecessor) {
        this.rank = rank;
        this.size = size;
        this.steps = 2 * (size - 1);
        this.timeoutNanos = settings.timeoutNanos();
        this.rejectedConnections = rejectedConnections;
        this.sender = sender;
        this.successor = successor;
        this.predecessor = predecessor;
        int frameBytes = HEADER_BYTES + LARGE_CHUNK_FLOATS * Float.BYTES;
        this.sendFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.sendPayload = payloadView(sendFrame);
        this.receiveFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.receivePayload = payloadView(receiveFrame);
        this.stepNames = new String[steps];
        for (int step = 0; step < steps; step++) {
            boolean scatter = step < size - 1;
            stepNames[step] = (scatter ? "reduce-scatter" : "all-gather") + " data (step "
                    + (scatter ? step + 1 : step - size + 2) + " of " + (size - 1) + ")";
        }
        Selector selector = null;
        try {
            selector = Selector.open();
            this.successorKey = successor.register(selector);
            this.predecessorKey = predecessor.register(selector);
        } catch (IOException e) {
            PeerConnection.closeQuietly(selector);
            throw new CollectiveException("rank " + rank + ": cannot open a selector: " + e, e);
        }
        this.waiter = selector;
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
        return open(rank, size, rendezvous, settings, false);
    }

    /**
     * {@link #open(int, int, Rendezvous, CollectiveSettings)}, except that with {@code inMemoryWhenOneJvm}
     * ranks that all turn out to be threads of this JVM (each publishes this JVM's id next to its
     * address) all-reduce through memory ({@link LocalCollective}) instead of TCP loopback. Every
     * rank of the group must pass the same {@code inMemoryWhenOneJvm}.
     */
    public static Collective open(int rank, int size, Rendezvous rendezvous, CollectiveSettings settings,
            boolean inMemoryWhenOneJvm) {
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
            String[] addresses = exchangeAddresses(rendezvous,
                    acceptor.publishedAddress() + JVM_SEPARATOR + LocalCollective.JVM, rank, size);
            if (inMemoryWhenOneJvm && Arrays.stream(addresses).allMatch(RingCollective::inThisJvm)) {
                acceptor.close();
                return LocalCollective.join(settings.sessionTag(), rank, size, settings.timeoutNanos());
            }
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
            try {
                successor = Connector.connect(successorAddress, settings, rank, successorRank, deadline);
            } catch (CollectiveException e) {
                // Keep answering the predecessor's handshake (until it ends or the deadline) so
                // that it fails for its own reason, such as a wrong secret, rather than on a
                // connection this rank reset.
                settle(accepted, settings);
                throw e;
            }
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

    /** Whether a published "host:port jvm" names this JVM. */
    private static boolean inThisJvm(String published) {
        return published != null && published.endsWith(JVM_SEPARATOR + LocalCollective.JVM);
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

    /** Parses "host:port" or "[ipv6]:port", maybe followed by its JVM's id, published by rank {@code peer}. */
    static InetSocketAddress parseAddress(String address, int rank, int peer) {
        int separator = address == null ? -1 : address.indexOf(JVM_SEPARATOR);
        try {
            return resolve(separator < 0 ? address : address.substring(0, separator));
        } catch (IllegalArgumentException e) {
            throw new CollectiveException("rank " + rank + ": rank " + peer + " published address '"
                    + shown(address) + "' but " + e.getMessage());
        }
    }

    /**
     * Resolves "host:port" or "[ipv6]:port"; what is wrong with it is the message of an
     * {@link IllegalArgumentException}.
     */
    static InetSocketAddress resolve(String address) {
        if (address == null || address.length() > MAX_ADDRESS_CHARS || address.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("it is not host:port");
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("the host does not resolve: " + e);
        }
    }

    /** An address as shown in messages: at most 80 characters of it. */
    static String shown(String address) {
        return address == null ? "null" : address.substring(0, Math.min(address.length(), 80));
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

    /** Waits, within the timeout, for the accept to end either way; closes what it accepted. */
    private static void settle(Future<PeerConnection> accepted, CollectiveSettings settings) {
        try {
            accepted.get(settings.timeoutNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS).close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
            // The connect failure is what this rank reports; discard() cleans up.
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
    /**
     * {@inheritDoc}
     *
     * <p>Every rank must pass a buffer of the same length; a mismatch fails with
     * {@link CollectiveException}. Each wait for the neighbours is bounded by the timeout: the
     * call fails when no byte has moved in either direction for that long.
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
            if (buffer.length >= THREADED_FLOATS) {
                runThreaded(buffer);
            } else if (buffer.length > 0) {
                run(buffer, false);
            }
        } catch (CollectiveException e) {
            fail(e);
            throw e;
        } catch (RuntimeException | Error e) {
            fail(new CollectiveException("rank " + rank + ": all-reduce failed: " + e, e));
            throw e;
        }
    }

    /** Floats per frame for a buffer of {@code length} floats; both sides compute the same. */
    static int frameFloats(int length) {
        return length >= LARGE_BUFFER_FLOATS ? LARGE_CHUNK_FLOATS : CHUNK_FLOATS;
    }

    private int segment(int index) {
        return Math.floorMod(index, size);
    }

    private int segmentStart(int segment, int length) {
        return (int) ((long) segment * length / size);
    }

    /**
     * The segment this rank sends in {@code step}. Reduce-scatter step k sends segment (rank-k);
     * all-gather step k sends segment (rank+1-k), whose final sum this rank holds. Step k+1 sends
     * what step k received.
     */
    private int sendSegment(int step) {
        return step < size - 1 ? segment(rank - step) : segment(rank + 1 - (step - size + 1));
    }

    /** The segment this rank receives in {@code step}: reduce-scatter adds it, all-gather copies it. */
    private int receiveSegment(int step) {
        return step < size - 1 ? segment(rank - step - 1) : segment(rank - (step - size + 1));
    }

    private int segmentLength(int segment, int length) {
        return segmentStart(segment + 1, length) - segmentStart(segment, length);
    }

    /**
     * Both directions of the whole all-reduce, on this thread: frames go out as soon as their
     * data is final for their step, frames coming in are checked, added or copied; when neither
     * socket moves, retry (yielding the core) for {@link #SPIN_NANOS}, then wait on both, for at
     * most the timeout since the last byte moved. With {@code receiveOnly}, the sender thread
     * sends (see {@link #runThreaded}).
     */
    private void run(float[] buffer, boolean receiveOnly) {
        int n = buffer.length;
        int frame = frameFloats(n);
        receiveStep = 0;
        receiveDone = 0;
        receiveCount = 0;
        skipEmptyReceiveSteps(n);
        receiveProgress = (long) receiveStep << 32 | receiveDone;
        if (!receiveOnly) {
            // Otherwise the sender thread owns the send state.
            sendStep = 0;
            sendDone = 0;
            sendFrame.position(0).limit(0);
            skipEmptySendSteps(n);
        }
        long lastProgress = System.nanoTime();
        while (true) {
            boolean progressed = false;
            // Send first: the successor may be waiting for exactly this frame.
            if (!receiveOnly && !sendFrame.hasRemaining() && sendStep < steps) {
                int count = Math.min(frame, segmentLength(sendSegment(sendStep), n) - sendDone);
                if (sendable(sendStep, sendDone + count)) {
                    frame(buffer, count);
                }
            }
            if (!receiveOnly && sendFrame.hasRemaining()
                    && successor.writeAvailable(sendFrame, stepNames[framedStep]) > 0) {
                progressed = true;
            }
            if (receiveStep < steps) {
                if (receiveCount == 0) {
                    receiveCount = Math.min(frame, segmentLength(receiveSegment(receiveStep), n) - receiveDone);
                    receiveFrame.clear().limit(HEADER_BYTES + receiveCount * Float.BYTES);
                    receiveHeaderChecked = false;
                }
                if (predecessor.readAvailable(receiveFrame, stepNames[receiveStep]) > 0) {
                    progressed = true;
                    if (!receiveHeaderChecked && receiveFrame.position() >= HEADER_BYTES) {
                        checkHeader(n, receiveCount * Float.BYTES, stepNames[receiveStep]);
                        receiveHeaderChecked = true;
                    }
                    if (!receiveFrame.hasRemaining()) {
                        consume(buffer, n);
                    }
                }
            }
            if (receiveStep >= steps && (receiveOnly || sendStep >= steps && !sendFrame.hasRemaining())) {
                return;
            }
            long now = System.nanoTime();
            if (progressed) {
                lastProgress = now;
            } else if (now - lastProgress < SPIN_NANOS) {
                // Yield rather than spin: on a busy machine the neighbour may need this core.
                Thread.yield();
            } else {
                await(lastProgress + timeoutNanos - now, !receiveOnly && sendFrame.hasRemaining());
            }
        }
    }

    /**
     * Whether the floats up to {@code end} of the segment sent in {@code step} are final: step 0
     * sends this rank's own data; step k sends what step k-1 received, up to where it has arrived.
     */
    private boolean sendable(int step, int end) {
        return step == 0 || receiveStep > step - 1 || (receiveStep == step - 1 && receiveDone >= end);
    }

    /**
     * The large-buffer path: the collective's thread sends every frame in order, each as soon as
     * {@link #receiveProgress} says its data is final, while this thread receives.
     */
    private void runThreaded(float[] buffer) {
        receiveProgress = 0;
        Future<?> sent;
        try {
            sent = sender.submit(() -> sendAll(buffer));
        } catch (RejectedExecutionException e) {
            throw new CollectiveException("rank " + rank + ": the collective was closed", e);
        }
        try {
            run(buffer, true);
        } catch (CollectiveException e) {
            // When sending failed first, that is the cause; the receiver only saw the sockets close.
            if (sent.isDone()) {
                awaitSent(sent);
            }
            throw e;
        }
        awaitSent(sent);
    }

    /** On the sender thread: every frame of every step, blocking writes within the timeout. */
    private void sendAll(float[] buffer) {
        int n = buffer.length;
        int frame = frameFloats(n);
        sendStep = 0;
        sendDone = 0;
        skipEmptySendSteps(n);
        try {
            while (sendStep < steps) {
                int count = Math.min(frame, segmentLength(sendSegment(sendStep), n) - sendDone);
                awaitSendable(sendStep, sendDone + count);
                frame(buffer, count);
                successor.writeFully(sendFrame, stepNames[framedStep]);
            }
        } catch (CollectiveException e) {
            fail(e);
            throw e;
        } catch (RuntimeException | Error e) {
            fail(new CollectiveException("rank " + rank + ": sending failed: " + e, e));
            throw e;
        }
    }

    /** On the sender thread: waits until the receiver has made the frame ending at {@code end} final. */
    private void awaitSendable(int step, int end) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long progress = receiveProgress;
            int doneStep = (int) (progress >>> 32);
            if (step == 0 || doneStep > step - 1 || (doneStep == step - 1 && (int) progress >= end)) {
                return;
            }
            if (failure != null || closed || Thread.currentThread().isInterrupted()) {
                throw new CollectiveException("rank " + rank + ": stopped sending "
                        + stepNames[step] + ": the all-reduce failed or was closed");
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw predecessor.failure("timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms waiting for " + stepNames[step - 1] + " from " + predecessor.describePeer(), null);
            }
            parkedSender = Thread.currentThread();
            progress = receiveProgress;
            doneStep = (int) (progress >>> 32);
            if (!(doneStep > step - 1 || (doneStep == step - 1 && (int) progress >= end))) {
                LockSupport.parkNanos(this, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            parkedSender = null;
        }
    }

    private void awaitSent(Future<?> sent) {
        try {
            // The sender's own waits time out; the margin covers copying.
            sent.get(timeoutNanos + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause(), rank, "sending to successor rank " + successor.peerRank());
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + ": timed out sending to successor rank "
                    + successor.peerRank(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank + ": interrupted while sending to successor rank "
                    + successor.peerRank(), e);
        }
    }

    /** Copies the next {@code count} floats of the send step's segment into a frame. */
    private void frame(float[] buffer, int count) {
        int n = buffer.length;
        int from = segmentStart(sendSegment(sendStep), n) + sendDone;
        sendPayload.put(0, buffer, from, count);
        sendFrame.clear();
        sendFrame.putInt(0, FRAME_MAGIC)
                .putInt(4, sendSequence)
                .putInt(8, n)
                .putInt(12, count * Float.BYTES);
        sendFrame.limit(HEADER_BYTES + count * Float.BYTES);
        sendSequence++;
        framedStep = sendStep;
        sendDone += count;
        skipEmptySendSteps(n);
    }

    private void skipEmptySendSteps(int n) {
        while (sendStep < steps && sendDone == segmentLength(sendSegment(sendStep), n)) {
            sendStep++;
            sendDone = 0;
        }
    }

    private void skipEmptyReceiveSteps(int n) {
        while (receiveStep < steps && receiveDone == segmentLength(receiveSegment(receiveStep), n)) {
            receiveStep++;
            receiveDone = 0;
        }
    }

    /** Adds (reduce-scatter) or copies (all-gather) the complete frame just read. */
    private void consume(float[] buffer, int n) {
        int count = receiveCount;
        int at = segmentStart(receiveSegment(receiveStep), n) + receiveDone;
        if (receiveStep < size - 1) {
            float[] scratch = addScratch;
            for (int done = 0; done < count; done += ADD_BLOCK_FLOATS) {
                int block = Math.min(ADD_BLOCK_FLOATS, count - done);
                receivePayload.get(done, scratch, 0, block);
                int base = at + done;
                for (int i = 0; i < block; i++) {
                    buffer[base + i] += scratch[i];
                }
            }
        } else {
            receivePayload.get(0, buffer, at, count);
        }
        receiveSequence++;
        receiveDone += count;
        receiveCount = 0;
        skipEmptyReceiveSteps(n);
        receiveProgress = (long) receiveStep << 32 | receiveDone;
        Thread waiting = parkedSender;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /**
     * Waits until the successor's socket can take more (when a frame is pending) or the
     * predecessor's has data (when a frame is due), for at most {@code remainingNanos}.
     */
    private void await(long remainingNanos, boolean writing) {
        boolean reading = receiveStep < steps;
        if (remainingNanos <= 0) {
            long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
            if (reading) {
                throw predecessor.failure("timed out after " + millis + " ms waiting for "
                        + stepNames[receiveStep] + " from " + predecessor.describePeer(), null);
            }
            throw successor.failure("timed out after " + millis + " ms waiting for "
                    + successor.describePeer() + " to accept " + stepNames[framedStep], null);
        }
        try {
            successorKey.interestOps(writing ? SelectionKey.OP_WRITE : 0);
            predecessorKey.interestOps(reading ? SelectionKey.OP_READ : 0);
            waiter.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
            waiter.selectedKeys().clear();
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw new CollectiveException("rank " + rank + ": waiting for the neighbours failed"
                    + (closed ? " (the collective was closed)" : "") + ": " + e, e);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CollectiveException("rank " + rank + ": interrupted while waiting for "
                    + (reading ? stepNames[receiveStep] + " from " + predecessor.describePeer()
                            : successor.describePeer() + " to accept data"));
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
        PeerConnection.closeQuietly(waiter);
        sender.shutdownNow();
    }
}
