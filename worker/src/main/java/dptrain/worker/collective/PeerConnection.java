package dptrain.worker.collective;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection to a neighbour in the ring, with every read and write bounded by a deadline.
 * The channel is non-blocking and waits on its own selector, so a timeout is exact and closing
 * the connection from another thread wakes a waiting reader or writer. Used by one thread at a
 * time.
 */
final class PeerConnection implements Closeable {

    /** Large socket buffers so a whole chunk is in flight while the peer is busy reducing. */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final int selfRank;
    private final int peerRank;
    private final String role;
    private final long timeoutNanos;
    /** The key the handshake derived for this connection's frames ({@link FrameSeal}); null before. */
    private byte[] frameKey;

    private PeerConnection(SocketChannel channel, Selector selector, SelectionKey key, int selfRank,
            int peerRank, String role, long timeoutNanos) {
        this.channel = channel;
        this.selector = selector;
        this.key = key;
        this.selfRank = selfRank;
        this.peerRank = peerRank;
        this.role = role;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Takes ownership of {@code channel} (closed here if this fails).
     *
     * @param role how this rank sees the peer: "predecessor" or "successor"
     */
    static PeerConnection wrap(SocketChannel channel, int selfRank, int peerRank, String role,
            long timeoutNanos) throws IOException {
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            selector = Selector.open();
            SelectionKey key = channel.register(selector, 0);
            return new PeerConnection(channel, selector, key, selfRank, peerRank, role, timeoutNanos);
        } catch (IOException | RuntimeException e) {
            closeQuietly(selector);
            closeQuietly(channel);
            throw e;
        }
    }

    int peerRank() {
        return peerRank;
    }

    /** Records the frame key the handshake derived, once it has succeeded. */
    void keyFrames(byte[] key) {
        frameKey = key.clone();
    }

    /** The frame key the handshake derived; fails when no handshake has succeeded. */
    byte[] frameKey() {
        if (frameKey == null) {
            throw new IllegalStateException("rank " + selfRank + ": no handshake with " + describePeer()
                    + " has derived a frame key");
        }
        return frameKey.clone();
    }

    /** "predecessor rank 2": how error messages name the peer. */
    String describePeer() {
        return role + " rank " + peerRank;
    }

    /**
     * Connects to {@code target} by the deadline. A refused or failed attempt throws
     * {@link IOException} so the caller may retry; running past the deadline throws
     * {@link CollectiveException}.
     */
    void establish(InetSocketAddress target, long deadlineNanos) throws IOException {
        if (channel.connect(target)) {
            return;
        }
        while (!channel.finishConnect()) {
            await(SelectionKey.OP_CONNECT, deadlineNanos, "the connection to be established");
        }
    }

    /** Reads until {@code target} is full, within the timeout. */
    void readFully(ByteBuffer target, String what) {
        readFully(target, System.nanoTime() + timeoutNanos, what);
    }

    void readFully(ByteBuffer target, long deadlineNanos, String what) {
        try {
            while (target.hasRemaining()) {
                int read = channel.read(target);
                if (read < 0) {
                    throw failure(describePeer() + " closed the connection while this rank waited for "
                            + what, null);
                }
                if (read == 0) {
                    await(SelectionKey.OP_READ, deadlineNanos, what + " from " + describePeer());
                }
            }
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("connection to " + describePeer() + " failed while waiting for " + what
                    + ": " + e, e);
        }
    }

    /** Writes everything remaining in {@code source}, within the timeout. */
    void writeFully(ByteBuffer source, String what) {
        writeFully(source, System.nanoTime() + timeoutNanos, what);
    }

    void writeFully(ByteBuffer source, long deadlineNanos, String what) {
        try {
            while (source.hasRemaining()) {
                if (channel.write(source) == 0) {
                    await(SelectionKey.OP_WRITE, deadlineNanos,
                            describePeer() + " to accept " + what);
                }
            }
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("connection to " + describePeer() + " failed while sending " + what + ": "
                    + e, e);
        }
    }

    /**
     * Reads what has already arrived into {@code target}, without waiting: returns the number of
     * bytes read, possibly 0. Fails when the peer closed the connection.
     */
    int readAvailable(ByteBuffer target, String what) {
        try {
            int read = channel.read(target);
            if (read < 0) {
                throw failure(describePeer() + " closed the connection while this rank waited for "
                        + what, null);
            }
            return read;
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("connection to " + describePeer() + " failed while waiting for " + what
                    + ": " + e, e);
        }
    }

    /** Writes what the socket takes now from {@code source}, without waiting; returns the bytes written. */
    int writeAvailable(ByteBuffer source, String what) {
        try {
            return channel.write(source);
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            throw failure("connection to " + describePeer() + " failed while sending " + what + ": "
                    + e, e);
        }
    }

    /** Registers the channel with another selector too (interest set empty), for a joint wait. */
    SelectionKey register(Selector other) throws IOException {
        return channel.register(other, 0);
    }

    private void await(int operations, long deadlineNanos, String waitingFor) throws IOException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            throw failure("timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms waiting for " + waitingFor, null);
        }
        key.interestOps(operations);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            throw failure("interrupted while waiting for " + waitingFor, null);
        }
    }

    CollectiveException failure(String detail, Throwable cause) {
        return new CollectiveException("rank " + selfRank + ": " + detail, cause);
    }

    /** Closes the socket; a thread waiting on it fails promptly. Idempotent. */
    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(channel);
    }

    static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            // Nothing useful to do: the resource is being abandoned either way.
        }
    }
}
