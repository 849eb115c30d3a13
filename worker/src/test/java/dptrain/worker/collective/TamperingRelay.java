package dptrain.worker.collective;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on 127.0.0.1 that a test puts between a rank and its successor: it passes the
 * handshake untouched, then reads the rank's frames (all of one known size) and does one thing
 * to them, as an attacker on the network could; the successor's replies pass untouched.
 */
final class TamperingRelay implements Closeable {

    /** What the relay does to the data frames. */
    enum Attack {
        /** Flips one bit of frame 0's payload (an exponent bit, should it travel in clear). */
        TAMPER,
        /** Sends frame 0 twice, so the second copy arrives where frame 1 is due. */
        REPLAY,
        /** Sends frame 1 before frame 0. */
        SWAP,
        /** Drops the last 5 bytes of frame 0; frame 1 follows at once. */
        TRUNCATE,
        /** Passes everything untouched. */
        NONE
    }

    /** What the connector sends before its first frame: the hello and the confirmation. */
    static final int HANDSHAKE_BYTES = Handshake.HELLO_BYTES + Handshake.CONFIRM_BYTES;

    private final ServerSocket server;
    private final Attack attack;
    private final int frameBytes;
    private final CompletableFuture<InetSocketAddress> target = new CompletableFuture<>();
    private final AtomicReference<Socket[]> sockets = new AtomicReference<>(new Socket[0]);

    TamperingRelay(Attack attack, int frameBytes) throws IOException {
        this.attack = attack;
        this.frameBytes = frameBytes;
        this.server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Thread relay = new Thread(this::relay, "tampering-relay");
        relay.setDaemon(true);
        relay.start();
    }

    /** "127.0.0.1:port": what the rank is told its successor's address is. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Where the successor really listens; the relay connects there once the rank connects. */
    void forwardTo(InetSocketAddress successor) {
        target.complete(successor);
    }

    /** A rendezvous for {@code rank} that shows it this relay in place of {@code victim}'s address. */
    Rendezvous intercepting(Rendezvous rendezvous, int victim) {
        return message -> {
            String[] addresses = rendezvous.allGather(message);
            forwardTo(PeerAddress.parse(addresses[victim], -1, victim));
            addresses[victim] = address();
            return addresses;
        };
    }

    private void relay() {
        try {
            Socket fromRank = server.accept();
            Socket toSuccessor = new Socket();
            sockets.set(new Socket[] {fromRank, toSuccessor});
            toSuccessor.connect(target.get());
            Thread back = new Thread(() -> copy(toSuccessor, fromRank), "tampering-relay-back");
            back.setDaemon(true);
            back.start();
            InputStream in = fromRank.getInputStream();
            OutputStream out = toSuccessor.getOutputStream();
            out.write(in.readNBytes(Handshake.HELLO_BYTES));
            out.write(in.readNBytes(Handshake.CONFIRM_BYTES));
            byte[] first = in.readNBytes(frameBytes);
            byte[] second = in.readNBytes(frameBytes);
            switch (attack) {
                case TAMPER -> {
                    first[RingCollective.HEADER_BYTES + 103] ^= 0x40;
                    out.write(first);
                    out.write(second);
                }
                case REPLAY -> {
                    out.write(first);
                    out.write(first);
                    out.write(second);
                }
                case SWAP -> {
                    out.write(second);
                    out.write(first);
                }
                case TRUNCATE -> {
                    out.write(first, 0, first.length - 5);
                    out.write(second);
                }
                case NONE -> {
                    out.write(first);
                    out.write(second);
                }
            }
            out.flush();
            in.transferTo(out);
        } catch (Exception e) {
            // The ranks' failures are what the test checks; the relay just stops.
        } finally {
            close();
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // Either side closed: the relay is done.
        }
    }

    @Override
    public void close() {
        PeerConnection.closeQuietly(server);
        for (Socket socket : sockets.get()) {
            PeerConnection.closeQuietly(socket);
        }
    }
}
