package dptrain.worker.collective;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the ranks of one epoch attempt meet, served by the driver: each rank sends the address
 * its ring listens on, and once all {@code size} ranks have, every rank gets every address.
 * This replaces Spark's {@code BarrierTaskContext.allGather}, which (Spark 3.5) waits for its
 * RPC reply in {@code Thread.sleep(1000)} steps and so cost every epoch at least one second
 * before its first iteration; here the reply goes out as soon as the last rank arrives.
 *
 * <pre>
 * rank   -> driver REQUEST  magic, version, rank, size, nonce (32 bytes), address length, address,
 *                           HMAC("dptrain-rendezvous request", tag, rank, size, nonce, address)
 * driver -> rank   REPLY    1, then per rank: address length, address;
 *                           HMAC("dptrain-rendezvous reply", tag, rank, nonce, every address)
 *                  REFUSED  0, message length, message (an authentic request that does not fit)
 * </pre>
 *
 * When the settings ask for encryption, the request's label says so (a rank that does not agree
 * is not authentic here), and everything of a REPLY after its first byte travels sealed: a fresh
 * 12-byte nonce, the length, then the AES-GCM ciphertext and tag of those bytes, under a key
 * derived from the job's key, the rank and the request's fresh nonce.
 *
 * Both directions are authenticated with the ring's key and session tag (see {@link Handshake}),
 * so a process without the job's key cannot publish an address or feed a rank a forged list, a
 * request of another job or epoch attempt fails authentication, and each reply covers the
 * requesting rank's fresh nonce, so a recorded reply cannot be replayed. Every length read from
 * the network is bounded before anything is allocated; a connection that does not send an
 * authentic request within the read timeout is closed and counted, and strangers cannot hold
 * up the ranks (each connection is read on its own thread, at most {@link #MAX_READERS} at once).
 */
public final class RendezvousServer implements Closeable {

    static final int MAGIC = 0x44505452; // "DPTR"
    static final int VERSION = 1;
    static final byte MET = 1;
    static final byte REFUSED = 0;
    static final int MAX_MESSAGE_BYTES = 1000;
    /** Connections being read at once; more are closed (and counted) at once. */
    static final int MAX_READERS = 64;
    /** The longest a connection may take to send its request. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerSocket server;
    private final CollectiveSettings settings;
    private final int size;
    private final String publishedAddress;
    private final Socket[] waiting;
    private final byte[][] nonces;
    private final String[] addresses;
    private final AtomicInteger readers = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private int arrived;
    private boolean met;
    private volatile boolean closed;

    private RendezvousServer(ServerSocket server, CollectiveSettings settings, int size, String publishedHost) {
        this.server = server;
        this.settings = settings;
        this.size = size;
        this.publishedAddress = (publishedHost.contains(":") ? "[" + publishedHost + "]" : publishedHost) + ":"
                + server.getLocalPort();
        this.waiting = new Socket[size];
        this.nonces = new byte[size][];
        this.addresses = new String[size];
    }

    /**
     * Listens on the settings' bind address (an ephemeral port) for the {@code size} ranks of the
     * settings' session tag, until {@link #close()}.
     *
     * @param publishedHost the host name or address the ranks connect to
     */
    public static RendezvousServer start(CollectiveSettings settings, int size, String publishedHost) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(publishedHost, "publishedHost");
        if (size < 1) {
            throw new IllegalArgumentException("size is " + size + "; it must be at least 1");
        }
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(settings.bindAddress(), 0), MAX_READERS);
        } catch (IOException e) {
            throw new CollectiveException("cannot listen for the ranks on "
                    + settings.bindAddress().getHostAddress() + ": " + e, e);
        }
        RendezvousServer rendezvous = new RendezvousServer(server, settings, size, publishedHost);
        Thread acceptor = new Thread(rendezvous::acceptLoop, "dptrain-rendezvous");
        acceptor.setDaemon(true);
        acceptor.start();
        return rendezvous;
    }

    /** "host:port" for the ranks ({@link DriverRendezvous}). */
    public String address() {
        return publishedAddress;
    }

    /** Connections closed because they sent no authentic request, or too many were open. */
    public long rejectedConnections() {
        return rejected.get();
    }

    /** Stops listening; ranks still waiting see their connection close. */
    @Override
    public void close() {
        closed = true;
        PeerConnection.closeQuietly(server);
        synchronized (this) {
            for (int rank = 0; rank < size; rank++) {
                PeerConnection.closeQuietly(waiting[rank]);
                waiting[rank] = null;
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (readers.incrementAndGet() > MAX_READERS) {
                readers.decrementAndGet();
                rejected.incrementAndGet();
                PeerConnection.closeQuietly(socket);
                continue;
            }
            Thread reader = new Thread(() -> {
                try {
                    serve(socket);
                } finally {
                    readers.decrementAndGet();
                }
            }, "dptrain-rendezvous-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Reads one request; keeps the connection for the reply when it is authentic. */
    private void serve(Socket socket) {
        Request request;
        try {
            socket.setSoTimeout(Math.toIntExact(Math.min(REQUEST_TIMEOUT.toMillis(), settings.timeout().toMillis())));
            socket.setTcpNoDelay(true);
            request = Request.read(socket.getInputStream(), settings);
        } catch (IOException | RuntimeException e) {
            request = null;
        }
        if (request == null) {
            rejected.incrementAndGet();
            PeerConnection.closeQuietly(socket);
            return;
        }
        if (request.size() != size || request.rank() < 0 || request.rank() >= size) {
            refuse(socket, "rank " + request.rank() + " of " + request.size() + " asked to join, but this epoch has "
                    + size + " ranks");
            return;
        }
        synchronized (this) {
            if (closed || met) {
                refuse(socket, closed ? "the driver closed this epoch's rendezvous"
                        : "the ranks of this epoch attempt have already met");
                return;
            }
            int rank = request.rank();
            if (waiting[rank] == null) {
                arrived++;
            } else {
                PeerConnection.closeQuietly(waiting[rank]); // the newer request of a rank wins
            }
            waiting[rank] = socket;
            nonces[rank] = request.nonce();
            addresses[rank] = request.address();
            if (arrived == size) {
                met = true;
                for (int r = 0; r < size; r++) {
                    reply(r);
                }
            }
        }
    }

    private void reply(int rank) {
        Socket socket = waiting[rank];
        waiting[rank] = null;
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream list = new DataOutputStream(body);
            for (String address : addresses) {
                byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
                list.writeInt(bytes.length);
                list.write(bytes);
            }
            list.write(replyMac(settings, rank, nonces[rank], addresses));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(MET);
            if (settings.encrypted()) {
                byte[] iv = new byte[FrameSeal.NONCE_BYTES];
                RANDOM.nextBytes(iv);
                byte[] sealed = sealReply(settings, rank, nonces[rank], iv, body.toByteArray());
                out.write(iv);
                out.writeInt(sealed.length);
                out.write(sealed);
            } else {
                body.writeTo(out);
            }
            out.flush();
        } catch (IOException e) {
            // That rank is gone; its ring neighbours will time out and Spark retries the stage.
        } finally {
            PeerConnection.closeQuietly(socket);
        }
    }

    private static void refuse(Socket socket, String message) {
        try {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeByte(REFUSED);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
        } catch (IOException ignored) {
            // Nothing more to tell a rank that is gone.
        } finally {
            PeerConnection.closeQuietly(socket);
        }
    }

    /** The longest sealed reply body for {@code size} ranks: every address at its longest, the MAC, the tag. */
    static int maxSealedReplyBytes(int size) {
        return size * (Integer.BYTES + PeerAddress.MAX_CHARS) + Handshake.MAC_BYTES + FrameSeal.TAG_BYTES;
    }

    /** AES-GCM of a reply body for {@code rank}, under the key of its request's {@code nonce}. */
    static byte[] sealReply(CollectiveSettings settings, int rank, byte[] nonce, byte[] iv, byte[] body) {
        return replyCipher(settings, Cipher.ENCRYPT_MODE, rank, nonce, iv, body);
    }

    /** The reply body sealed by {@link #sealReply}, or null when it fails authentication. */
    static byte[] openReply(CollectiveSettings settings, int rank, byte[] nonce, byte[] iv, byte[] sealed) {
        return replyCipher(settings, Cipher.DECRYPT_MODE, rank, nonce, iv, sealed);
    }

    private static byte[] replyCipher(CollectiveSettings settings, int mode, int rank, byte[] nonce, byte[] iv,
            byte[] input) {
        byte[] key = Handshake.mac(settings, "dptrain-rendezvous reply key",
                ByteBuffer.allocate(Integer.BYTES).putInt(rank).array(), nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, 0, FrameSeal.KEY_BYTES, "AES"),
                    new GCMParameterSpec(FrameSeal.TAG_BYTES * Byte.SIZE, iv));
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM: " + e, e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    static byte[] requestMac(CollectiveSettings settings, int rank, int size, byte[] nonce, String address) {
        return Handshake.mac(settings, settings.encrypted() ? "dptrain-rendezvous request, encrypted reply"
                : "dptrain-rendezvous request",
                ByteBuffer.allocate(2 * Integer.BYTES).putInt(rank).putInt(size).array(), nonce,
                address.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] replyMac(CollectiveSettings settings, int rank, byte[] nonce, String[] addresses) {
        byte[][] parts = new byte[addresses.length + 2][];
        parts[0] = ByteBuffer.allocate(Integer.BYTES).putInt(rank).array();
        parts[1] = nonce;
        for (int r = 0; r < addresses.length; r++) {
            parts[r + 2] = addresses[r].getBytes(StandardCharsets.UTF_8);
        }
        return Handshake.mac(settings, "dptrain-rendezvous reply", parts);
    }

    /** Reads a length-prefixed UTF-8 string of at most {@code max} bytes. */
    static String readString(DataInputStream in, int max) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > max) {
            throw new IOException("a length of " + length + " bytes, above " + max);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** An authentic request; {@link #read} returns {@code null} for anything else. */
    record Request(int rank, int size, byte[] nonce, String address) {

        static Request read(InputStream stream, CollectiveSettings settings) throws IOException {
            DataInputStream in = new DataInputStream(stream);
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return null;
            }
            int rank = in.readInt();
            int size = in.readInt();
            byte[] nonce = new byte[Handshake.NONCE_BYTES];
            in.readFully(nonce);
            String address = readString(in, PeerAddress.MAX_CHARS);
            byte[] mac = new byte[Handshake.MAC_BYTES];
            in.readFully(mac);
            if (!MessageDigest.isEqual(mac, requestMac(settings, rank, size, nonce, address))) {
                return null;
            }
            return new Request(rank, size, nonce, address);
        }

        void write(OutputStream stream, CollectiveSettings settings) throws IOException {
            DataOutputStream out = new DataOutputStream(stream);
            byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(rank);
            out.writeInt(size);
            out.write(nonce);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.write(requestMac(settings, rank, size, nonce, address));
            out.flush();
        }
    }
}
