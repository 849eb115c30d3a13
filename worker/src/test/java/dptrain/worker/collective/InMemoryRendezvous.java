package dptrain.worker.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Rendezvous} for tests whose ranks are threads of one JVM. Each round completes when
 * every rank has contributed; rounds can be repeated. A rank that waits longer than the timeout
 * fails with {@link CollectiveException}, and so does every later call: a group that lost a
 * member cannot meet again.
 */
public final class InMemoryRendezvous {

    /** Used by {@link #InMemoryRendezvous(int)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final int size;
    private final long timeoutNanos;
    private final String[] messages;
    private final boolean[] contributed;
    private int arrived;
    private long round;
    private String[] lastResult;
    private String failure;

    public InMemoryRendezvous(int size) {
        this(size, DEFAULT_TIMEOUT);
    }

    public InMemoryRendezvous(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("size is " + size + "; it must be at least 1");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout is " + timeout + "; it must be positive");
        }
        this.size = size;
        this.timeoutNanos = timeout.toNanos();
        this.messages = new String[size];
        this.contributed = new boolean[size];
    }

    public int size() {
        return size;
    }

    /** The rendezvous as seen by {@code rank}. */
    public Rendezvous forRank(int rank) {
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank is " + rank + "; it must be in [0, " + size + ")");
        }
        return message -> allGather(rank, message);
    }

    private synchronized String[] allGather(int rank, String message) {
        Objects.requireNonNull(message, "message");
        if (failure != null) {
            throw new CollectiveException("rank " + rank + ": in-memory rendezvous already failed: " + failure);
        }
        if (contributed[rank]) {
            throw new IllegalStateException("rank " + rank + " already contributed to round " + round);
        }
        messages[rank] = message;
        contributed[rank] = true;
        arrived++;
        long myRound = round;
        if (arrived == size) {
            lastResult = messages.clone();
            Arrays.fill(messages, null);
            Arrays.fill(contributed, false);
            arrived = 0;
            round++;
            notifyAll();
            return lastResult.clone();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (round == myRound && failure == null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                failure = "rank " + rank + " timed out after "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms in round " + myRound
                        + " waiting for ranks " + missingRanks();
                notifyAll();
                throw new CollectiveException("rank " + rank + ": " + failure);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "rank " + rank + " was interrupted in round " + myRound;
                notifyAll();
                throw new CollectiveException("rank " + rank + ": " + failure, e);
            }
        }
        if (round == myRound) {
            throw new CollectiveException("rank " + rank + ": in-memory rendezvous failed: " + failure);
        }
        return lastResult.clone();
    }

    private List<Integer> missingRanks() {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            if (!contributed[r]) {
                missing.add(r);
            }
        }
        return missing;
    }
}
