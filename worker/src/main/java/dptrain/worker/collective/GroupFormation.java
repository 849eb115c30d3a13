package dptrain.worker.collective;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a rank meets its peers and the group takes its shape, once per epoch attempt, before any
 * data moves. A rank listens, publishes its address at the {@link Rendezvous}, and from what
 * every rank published decides what the group is: one rank needs nothing
 * ({@link SingleRankCollective}); ranks that are all threads of this JVM may add through memory
 * ({@link LocalCollective}); otherwise each rank connects to its successor and accepts its
 * predecessor, both authenticated by the {@link Handshake}, and the two connections become a
 * {@link RingCollective}. What comes back only moves data; nothing after this decides the mode.
 */
public final class GroupFormation {

    /** What a group whose ranks all turn out to be threads of this JVM uses. */
    public enum SameJvm {
        /** Add through memory ({@link LocalCollective}): no sockets, no copies through the kernel. */
        IN_MEMORY,
        /** The TCP ring over loopback, as for ranks in different JVMs. */
        TCP_RING
    }

    private GroupFormation() {
    }

    /**
     * Joins the group as {@code rank} of {@code size}: listens, exchanges addresses through
     * {@code rendezvous}, then (unless the group is one rank, or in memory) connects to the
     * successor and accepts the predecessor, both authenticated, within the settings' timeout
     * (counted from the end of the rendezvous). Every rank of the group must call this with the
     * same {@code size}, settings and {@code sameJvm}; a group of one needs no rendezvous.
     *
     * @throws CollectiveException when the group cannot be formed in time
     */
    public static Collective form(int rank, int size, Rendezvous rendezvous, CollectiveSettings settings,
            SameJvm sameJvm) {
        if (size < 1) {
            throw new IllegalArgumentException("size is " + size + "; it must be at least 1");
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank is " + rank + "; it must be in [0, " + size + ")");
        }
        Objects.requireNonNull(rendezvous, "rendezvous");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(sameJvm, "sameJvm");
        if (size == 1) {
            return new SingleRankCollective();
        }
        Acceptor acceptor = Acceptor.bind(settings, rank, (rank + size - 1) % size);
        try {
            String[] addresses = exchangeAddresses(rendezvous, PeerAddress.published(acceptor.publishedAddress()),
                    rank, size);
            if (sameJvm == SameJvm.IN_MEMORY && Arrays.stream(addresses).allMatch(PeerAddress::inThisJvm)) {
                acceptor.close();
                return LocalCollective.join(settings.sessionTag(), rank, size, settings.timeoutNanos());
            }
            return connectRing(rank, size, addresses, acceptor, settings);
        } catch (RuntimeException e) {
            acceptor.close();
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

    /**
     * Connects to the successor while the collective's own thread accepts the predecessor: every
     * rank does both, and a handshake needs the other side to answer. On failure everything
     * opened here is closed again.
     */
    private static RingCollective connectRing(int rank, int size, String[] addresses, Acceptor acceptor,
            CollectiveSettings settings) {
        int successorRank = (rank + 1) % size;
        int predecessorRank = (rank + size - 1) % size;
        ExecutorService sender = null;
        Future<PeerConnection> accepted = null;
        PeerConnection successor = null;
        try {
            InetSocketAddress successorAddress = PeerAddress.parse(addresses[successorRank], rank, successorRank);
            long deadline = System.nanoTime() + settings.timeoutNanos();
            sender = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "dptrain-collective-r" + rank);
                thread.setDaemon(true);
                return thread;
            });
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

    private static PeerConnection awaitAccepted(Future<PeerConnection> accepted, int rank,
            int predecessorRank, CollectiveSettings settings) {
        try {
            // The accept loop has the same deadline and gives up by itself; the margin only
            // guards against it never being scheduled.
            return accepted.get(settings.timeoutNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw CollectiveException.rethrown(e.getCause(), rank, "waiting for predecessor rank " + predecessorRank);
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
}
