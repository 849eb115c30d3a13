package dptrain.worker.collective;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Ring all-reduce over TCP between the ranks of one barrier stage, once {@link GroupFormation}
 * has connected each rank to its neighbours.
 *
 * <p>Rank r sends only to its successor (r+1) mod size and receives only from its predecessor
 * (r-1) mod size, over two authenticated connections (see {@link Handshake}). The buffer is cut
 * into {@code size} segments (see {@link RingSchedule}). A reduce-scatter of size-1 steps leaves
 * on each rank the full sum of one segment; an all-gather of size-1 steps copies every finished
 * segment around the ring. Each rank thus sends and receives 2(size-1)/size of the buffer,
 * whatever the size: bandwidth-optimal. Each segment's final sum is computed by one rank and only
 * copied afterwards, so the result is bit-identical everywhere.
 *
 * <p>Segments travel in frames of a fixed number of floats (see {@link #frameFloats}), and the
 * steps are pipelined frame by frame: the segment a rank sends in step k+1 is the one it receives
 * in step k, so each frame of it goes out as soon as the matching frame has arrived and been
 * added, without waiting for the rest of the step. Below {@link #THREADED_FLOATS} the calling
 * thread drives both directions with non-blocking sockets: it writes whatever the successor's
 * socket takes ({@link OutboundSegments}), reads whatever the predecessor has sent and adds from
 * the receive buffer ({@link InboundSegments}), and only when neither moves does it retry
 * briefly, yielding the core, and then wait on one selector for either socket. No thread hand-off
 * is on that path, which keeps small all-reduces cheap; writes come before reads, so a rank's
 * first frame is out before anything it reads can make it fail. Large buffers are sent by the
 * collective's own thread (one hand-off per call), which takes each frame as soon as the
 * receiving thread reports its data final, so the copies into and out of the sockets run in
 * parallel (on an encrypted ring from {@link #THREADED_SEALED_FLOATS}, so that sealing and
 * opening run in parallel too). Frames are a 16-byte header (magic, sequence number, buffer length, payload length)
 * followed by little-endian float32 data, in clear or, when the settings ask for encryption,
 * as AES-GCM ciphertext and tag (see {@link FrameSeal}); the receiver knows what must arrive,
 * reads at most that, and refuses anything else.
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
    /**
     * The same for encrypted rings: sealing and opening cost more than the hand-off from a frame
     * or two on, and the sender thread seals while the caller opens.
     */
    static final int THREADED_SEALED_FLOATS = 2 * CHUNK_FLOATS;
    /** Buffers of at least this many floats use {@link #LARGE_CHUNK_FLOATS}. */
    static final int LARGE_BUFFER_FLOATS = 4 * 1024 * 1024;
    static final int FRAME_MAGIC = 0x44505446; // "DPTF"
    static final int HEADER_BYTES = 4 * Integer.BYTES;
    /**
     * How long to retry the sockets without blocking (yielding the core between tries) before
     * waiting on the selector: a neighbour's reply usually comes sooner than a wake-up would.
     */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final int rank;
    private final int size;
    private final long timeoutNanos;
    private final long rejectedConnections;
    private final boolean encrypted;
    /** From this many floats on, the collective's own thread sends. */
    private final int threadedFloats;
    /** Accepted the predecessor while the ring formed; sends large buffers; stopped by {@link #close()}. */
    private final ExecutorService sender;
    private final PeerConnection successor;
    private final PeerConnection predecessor;
    /** Both sockets registered once, for the joint wait when neither can move. */
    private final Selector waiter;
    private final SelectionKey successorKey;
    private final SelectionKey predecessorKey;
    // Each half is owned by the thread inside allReduceSum (calls are synchronized), the
    // outbound one by the sender thread while it sends a large buffer.
    private final OutboundSegments outbound;
    private final InboundSegments inbound;

    private volatile boolean closed;
    private volatile CollectiveException failure;
    /** Tells the sender thread to give up waiting: the all-reduce failed or the collective closed. */
    private final BooleanSupplier stopped = () -> failure != null || closed;

    /**
     * Takes ownership of the sender thread and both connections, which {@link GroupFormation}
     * opened and authenticated for this rank.
     */
    RingCollective(int rank, int size, CollectiveSettings settings, long rejectedConnections,
            ExecutorService sender, PeerConnection successor, PeerConnection predecessor) {
        this.rank = rank;
        this.size = size;
        this.timeoutNanos = settings.timeoutNanos();
        this.rejectedConnections = rejectedConnections;
        this.sender = sender;
        this.successor = successor;
        this.predecessor = predecessor;
        RingSchedule schedule = new RingSchedule(rank, size);
        this.encrypted = settings.encrypted();
        this.threadedFloats = encrypted ? THREADED_SEALED_FLOATS : THREADED_FLOATS;
        this.outbound = new OutboundSegments(successor, schedule,
                encrypted ? FrameSeal.aesGcm(successor.frameKey(), true) : FrameSeal.clear());
        this.inbound = new InboundSegments(predecessor, schedule,
                encrypted ? FrameSeal.aesGcm(predecessor.frameKey(), false) : FrameSeal.clear());
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

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** Whether this ring's frames are encrypted and authenticated ({@link FrameSeal}). */
    public boolean encrypted() {
        return encrypted;
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
            if (buffer.length >= threadedFloats) {
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

    /**
     * Both directions of the whole all-reduce, on this thread: frames go out as soon as their
     * data is final for their step, frames coming in are checked, added or copied; when neither
     * socket moves, retry (yielding the core) for {@link #SPIN_NANOS}, then wait on both, for at
     * most the timeout since the last byte moved. With {@code receiveOnly}, the sender thread
     * sends (see {@link #runThreaded}).
     */
    private void run(float[] buffer, boolean receiveOnly) {
        int frame = frameFloats(buffer.length);
        inbound.begin(buffer.length);
        if (!receiveOnly) {
            // Otherwise the sender thread owns the outbound half.
            outbound.begin(buffer.length);
        }
        long lastProgress = System.nanoTime();
        while (true) {
            boolean progressed = false;
            // Send first: the successor may be waiting for exactly this frame.
            if (!receiveOnly) {
                outbound.frameNextIfFinal(buffer, frame, inbound);
                if (outbound.pending() && outbound.writeAvailable()) {
                    progressed = true;
                }
            }
            if (!inbound.finished() && inbound.readAvailable(buffer, frame)) {
                progressed = true;
            }
            if (inbound.finished() && (receiveOnly || outbound.finished() && !outbound.pending())) {
                return;
            }
            long now = System.nanoTime();
            if (progressed) {
                lastProgress = now;
            } else if (now - lastProgress < SPIN_NANOS) {
                // Yield rather than spin: on a busy machine the neighbour may need this core.
                Thread.yield();
            } else {
                await(lastProgress + timeoutNanos - now, !receiveOnly && outbound.pending());
            }
        }
    }

    /**
     * The large-buffer path: the collective's thread sends every frame in order, each as soon as
     * the inbound half says its data is final, while this thread receives.
     */
    private void runThreaded(float[] buffer) {
        inbound.forget();
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
        try {
            outbound.sendAll(buffer, frameFloats(buffer.length), inbound, timeoutNanos, stopped);
        } catch (CollectiveException e) {
            fail(e);
            throw e;
        } catch (RuntimeException | Error e) {
            fail(new CollectiveException("rank " + rank + ": sending failed: " + e, e));
            throw e;
        }
    }

    private void awaitSent(Future<?> sent) {
        try {
            // The sender's own waits time out; the margin covers copying.
            sent.get(timeoutNanos + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw CollectiveException.rethrown(e.getCause(), rank, "sending to successor rank " + successor.peerRank());
        } catch (TimeoutException e) {
            throw new CollectiveException("rank " + rank + ": timed out sending to successor rank "
                    + successor.peerRank(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + rank + ": interrupted while sending to successor rank "
                    + successor.peerRank(), e);
        }
    }

    /**
     * Waits until the successor's socket can take more (when a frame is pending) or the
     * predecessor's has data (when a frame is due), for at most {@code remainingNanos}.
     */
    private void await(long remainingNanos, boolean writing) {
        boolean reading = !inbound.finished();
        if (remainingNanos <= 0) {
            long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
            if (reading) {
                throw predecessor.failure("timed out after " + millis + " ms waiting for "
                        + inbound.awaitedStepName() + " from " + predecessor.describePeer(), null);
            }
            throw successor.failure("timed out after " + millis + " ms waiting for "
                    + successor.describePeer() + " to accept " + outbound.framedStepName(), null);
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
                    + (reading ? inbound.awaitedStepName() + " from " + predecessor.describePeer()
                            : successor.describePeer() + " to accept data"));
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
