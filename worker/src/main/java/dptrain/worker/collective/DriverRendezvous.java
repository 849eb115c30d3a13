package dptrain.worker.collective;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A rank's side of the {@link RendezvousServer} the driver runs for an epoch attempt: sends this
 * rank's ring address, waits (within the settings' timeout, giving up early when
 * {@code cancelled} says so) until every rank has sent its own, and returns them all, checked
 * against the job key (and decrypted, when the settings ask for encryption).
 */
public final class DriverRendezvous implements Rendezvous {

    /** How often a waiting rank checks whether its task was cancelled. */
    static final int POLL_MILLIS = 200;

    private final String driverAddress;
    private final CollectiveSettings settings;
    private final int rank;
    private final int size;
    private final BooleanSupplier cancelled;

    /**
     * @param driverAddress "host:port" of the driver's {@link RendezvousServer}
     * @param cancelled     whether this rank's task was cancelled (checked while it waits)
     */
    public DriverRendezvous(String driverAddress, CollectiveSettings settings, int rank, int size,
            BooleanSupplier cancelled) {
        this.driverAddress = Objects.requireNonNull(driverAddress, "driverAddress");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.rank = rank;
        this.size = size;
        this.cancelled = Objects.requireNonNull(cancelled, "cancelled");
    }

    @Override
    public String[] allGather(String message) {
        InetSocketAddress driver;
        try {
            driver = PeerAddress.resolve(driverAddress);
        } catch (IllegalArgumentException e) {
            throw new CollectiveException("rank " + rank + ": the driver's rendezvous address '"
                    + PeerAddress.shown(driverAddress) + "' is unusable: " + e.getMessage());
        }
        long deadline = System.nanoTime() + settings.timeoutNanos();
        byte[] nonce = Handshake.freshNonce();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(driver, Math.toIntExact(Math.min(Integer.MAX_VALUE,
                    TimeUnit.NANOSECONDS.toMillis(settings.timeoutNanos()))));
            new RendezvousServer.Request(rank, size, nonce, message).write(socket.getOutputStream(), settings);
            socket.setSoTimeout(POLL_MILLIS);
            DataInputStream in = new DataInputStream(new Patient(socket.getInputStream(), deadline));
            byte status = in.readByte();
            if (status == RendezvousServer.REFUSED) {
                throw new CollectiveException("rank " + rank + ": the driver's rendezvous at " + driverAddress
                        + " refused this rank: " + RendezvousServer.readString(in, RendezvousServer.MAX_MESSAGE_BYTES));
            }
            if (status != RendezvousServer.MET) {
                throw forged();
            }
            DataInputStream body = settings.encrypted() ? openReply(in, nonce) : in;
            String[] addresses = new String[size];
            for (int r = 0; r < size; r++) {
                addresses[r] = RendezvousServer.readString(body, PeerAddress.MAX_CHARS);
            }
            byte[] mac = new byte[Handshake.MAC_BYTES];
            body.readFully(mac);
            if (!MessageDigest.isEqual(mac, RendezvousServer.replyMac(settings, rank, nonce, addresses))) {
                throw forged();
            }
            return addresses;
        } catch (EOFException e) {
            throw new CollectiveException("rank " + rank + ": the driver's rendezvous at " + driverAddress
                    + " closed the connection before all " + size + " ranks arrived (the epoch attempt ended, or"
                    + " this rank's key, session tag or encryption setting is not the driver's)", e);
        } catch (IOException e) {
            throw new CollectiveException("rank " + rank + ": cannot reach the driver's rendezvous at "
                    + driverAddress + ": " + e, e);
        }
    }

    /** Reads and opens the sealed rest of a reply; fails as forged when it does not authenticate. */
    private DataInputStream openReply(DataInputStream in, byte[] nonce) throws IOException {
        byte[] iv = new byte[FrameSeal.NONCE_BYTES];
        in.readFully(iv);
        int length = in.readInt();
        if (length < FrameSeal.TAG_BYTES || length > RendezvousServer.maxSealedReplyBytes(size)) {
            throw forged();
        }
        byte[] sealed = new byte[length];
        in.readFully(sealed);
        byte[] body = RendezvousServer.openReply(settings, rank, nonce, iv, sealed);
        if (body == null) {
            throw forged();
        }
        return new DataInputStream(new ByteArrayInputStream(body));
    }

    private CollectiveException forged() {
        return new CollectiveException("rank " + rank + ": the reply of the driver's rendezvous at " + driverAddress
                + " failed authentication");
    }

    /** Reads on through the short socket timeouts until the deadline, unless the task is cancelled. */
    private final class Patient extends FilterInputStream {
        private final long deadline;

        Patient(InputStream in, long deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            while (true) {
                try {
                    return super.read();
                } catch (SocketTimeoutException e) {
                    checkWaiting();
                }
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            while (true) {
                try {
                    return super.read(bytes, offset, length);
                } catch (SocketTimeoutException e) {
                    checkWaiting();
                }
            }
        }

        private void checkWaiting() {
            if (cancelled.getAsBoolean()) {
                throw new CollectiveException("rank " + rank + ": cancelled while waiting at the driver's rendezvous");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new CollectiveException("rank " + rank + ": timed out after "
                        + TimeUnit.NANOSECONDS.toSeconds(settings.timeoutNanos()) + " s waiting at the driver's"
                        + " rendezvous " + driverAddress + " for the other ranks of " + size);
            }
        }
    }
}
