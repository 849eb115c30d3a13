package dptrain.worker.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Opens this rank's connection to its successor: retries refused connections until the deadline
 * (the successor may still be starting to listen), then runs the connector's side of the
 * {@link Handshake}.
 */
final class Connector {

    private static final long RETRY_PAUSE_MILLIS = 50;

    private Connector() {
    }

    static PeerConnection connect(InetSocketAddress target, CollectiveSettings settings, int selfRank,
            int successorRank, long deadlineNanos) {
        String lastError = "no attempt";
        while (true) {
            PeerConnection connection = null;
            try {
                connection = PeerConnection.wrap(SocketChannel.open(), selfRank, successorRank, "successor",
                        settings.timeoutNanos());
                connection.establish(target, deadlineNanos);
                Handshake.asConnector(connection, settings, selfRank, deadlineNanos);
                return connection;
            } catch (IOException e) {
                lastError = e.toString();
            } catch (RuntimeException e) {
                PeerConnection.closeQuietly(connection);
                throw e;
            }
            PeerConnection.closeQuietly(connection);
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MILLIS)) {
                throw new CollectiveException("rank " + selfRank + ": could not connect to successor rank "
                        + successorRank + " at " + target + " within " + settings.timeout().toMillis()
                        + " ms: " + lastError);
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("rank " + selfRank + ": interrupted while connecting to successor rank "
                        + successorRank, e);
            }
        }
    }
}
