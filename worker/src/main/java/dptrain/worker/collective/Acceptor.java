package dptrain.worker.collective;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Listens for this rank's predecessor. Handshakes of all pending connections advance together on
 * one selector, so a stranger that connects and stays silent cannot hold up the real
 * predecessor; every connection that fails the handshake is closed and counted.
 */
final class Acceptor implements Closeable {

    /** Pending handshakes kept at once; beyond this the oldest is dropped (and counted). */
    static final int MAX_PENDING = 16;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final CollectiveSettings settings;
    private final int selfRank;
    private final int predecessorRank;
    private final AtomicLong rejected = new AtomicLong();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private Acceptor(ServerSocketChannel server, Selector selector, CollectiveSettings settings,
            int selfRank, int predecessorRank) {
        this.server = server;
        this.selector = selector;
        this.settings = settings;
        this.selfRank = selfRank;
        this.predecessorRank = predecessorRank;
    }

    /** Listens on the settings' bind address and an ephemeral port. */
    static Acceptor bind(CollectiveSettings settings, int selfRank, int predecessorRank) {
        ServerSocketChannel server = null;
        Selector selector = null;
        try {
            server = ServerSocketChannel.open();
            // Set before bind so accepted sockets negotiate a large TCP window.
            server.setOption(StandardSocketOptions.SO_RCVBUF, PeerConnection.SOCKET_BUFFER_BYTES);
            server.bind(new InetSocketAddress(settings.bindAddress(), 0), MAX_PENDING);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            return new Acceptor(server, selector, settings, selfRank, predecessorRank);
        } catch (IOException e) {
            PeerConnection.closeQuietly(selector);
            PeerConnection.closeQuietly(server);
            throw new CollectiveException("rank " + selfRank + ": cannot listen on "
                    + settings.bindAddress().getHostAddress() + ": " + e, e);
        }
    }

    /** "host:port" for the other ranks; IPv6 hosts in brackets. */
    String publishedAddress() {
        try {
            InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
            InetAddress host = local.getAddress().isAnyLocalAddress() ? InetAddress.getLocalHost() : local.getAddress();
            String text = host.getHostAddress();
            return (host instanceof Inet6Address ? "[" + text + "]" : text) + ":" + local.getPort();
        } catch (IOException e) {
            throw new CollectiveException("rank " + selfRank + ": cannot determine the listening address: " + e, e);
        }
    }

    long rejectedConnections() {
        return rejected.get();
    }

    /**
     * Accepts connections until one completes the handshake as the predecessor, or the deadline
     * passes. Strangers are rejected and counted; the real predecessor's connection is returned
     * and all other pending ones are rejected.
     */
    PeerConnection awaitPredecessor(long deadlineNanos) {
        try {
            while (true) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    throw new CollectiveException("rank " + selfRank + ": timed out after "
                            + settings.timeout().toMillis() + " ms waiting for an authenticated connection"
                            + " from predecessor rank " + predecessorRank + " (" + rejected.get()
                            + " connection(s) rejected)");
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                if (Thread.currentThread().isInterrupted()) {
                    throw new CollectiveException("rank " + selfRank
                            + ": interrupted while waiting for predecessor rank " + predecessorRank);
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptQueued();
                    } else if (key.isReadable()) {
                        Pending connection = (Pending) key.attachment();
                        if (connection.advance()) {
                            return promote(connection);
                        }
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            throw new CollectiveException("rank " + selfRank + ": accepting the connection from predecessor rank "
                    + predecessorRank + " failed: " + e, e);
        } finally {
            while (!pending.isEmpty()) {
                pending.peekFirst().reject();
            }
            close();
        }
    }

    private void acceptQueued() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            try {
                channel.configureBlocking(false);
                Pending connection = new Pending(channel);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                pending.addLast(connection);
            } catch (IOException e) {
                PeerConnection.closeQuietly(channel);
                rejected.incrementAndGet();
            }
            if (pending.size() > MAX_PENDING) {
                pending.peekFirst().reject();
            }
        }
    }

    private PeerConnection promote(Pending winner) throws IOException {
        winner.key.cancel();
        pending.remove(winner);
        PeerConnection predecessor = PeerConnection.wrap(winner.channel, selfRank, predecessorRank, "predecessor",
                settings.timeoutNanos());
        predecessor.keyFrames(winner.frameKey);
        return predecessor;
    }

    /**
     * Stops listening; a thread in {@link #awaitPredecessor} fails promptly and drops its pending
     * handshakes (they count as rejected). Safe from any thread; idempotent.
     */
    @Override
    public void close() {
        PeerConnection.closeQuietly(selector);
        PeerConnection.closeQuietly(server);
    }

    /** One accepted connection part-way through the acceptor's side of the handshake. */
    private final class Pending {
        final SocketChannel channel;
        SelectionKey key;
        ByteBuffer incoming = ByteBuffer.allocate(Handshake.HELLO_BYTES);
        byte[] connectorNonce;
        byte[] acceptorNonce;
        byte[] frameKey;

        Pending(SocketChannel channel) {
            this.channel = channel;
        }

        /** Reads what has arrived; true when this connection is the authenticated predecessor. */
        boolean advance() {
            try {
                if (channel.read(incoming) < 0) {
                    reject();
                    return false;
                }
                if (incoming.hasRemaining()) {
                    return false;
                }
                incoming.flip();
                return connectorNonce == null ? onHello() : onConfirm();
            } catch (IOException e) {
                reject();
                return false;
            }
        }

        private boolean onHello() throws IOException {
            int magic = incoming.getInt();
            int version = incoming.getInt();
            int connectorRank = incoming.getInt();
            int acceptorRank = incoming.getInt();
            if (magic != Handshake.MAGIC || version != Handshake.VERSION
                    || connectorRank != predecessorRank || acceptorRank != selfRank) {
                reject();
                return false;
            }
            connectorNonce = new byte[Handshake.NONCE_BYTES];
            incoming.get(connectorNonce);
            acceptorNonce = Handshake.freshNonce();
            byte[] proof = Handshake.acceptorProof(settings, predecessorRank, selfRank, connectorNonce, acceptorNonce);
            ByteBuffer reply = ByteBuffer.allocate(Handshake.REPLY_BYTES).put(acceptorNonce).put(proof).flip();
            // 64 bytes into a fresh socket's send buffer: anything short of complete is a broken peer.
            channel.write(reply);
            if (reply.hasRemaining()) {
                reject();
                return false;
            }
            incoming = ByteBuffer.allocate(Handshake.CONFIRM_BYTES);
            return false;
        }

        private boolean onConfirm() throws IOException {
            byte[] received = new byte[Handshake.MAC_BYTES];
            incoming.get(received);
            byte[] expected = Handshake.connectorProof(settings, predecessorRank, selfRank, connectorNonce, acceptorNonce);
            if (!MessageDigest.isEqual(expected, received)) {
                reject();
                return false;
            }
            ByteBuffer ack = ByteBuffer.allocate(1).put(Handshake.ACCEPTED).flip();
            channel.write(ack);
            if (ack.hasRemaining()) {
                reject();
                return false;
            }
            frameKey = Handshake.frameKey(settings, predecessorRank, selfRank, connectorNonce,
                    acceptorNonce);
            return true;
        }

        void reject() {
            pending.remove(this);
            if (key != null) {
                key.cancel();
            }
            PeerConnection.closeQuietly(channel);
            rejected.incrementAndGet();
        }
    }
}
