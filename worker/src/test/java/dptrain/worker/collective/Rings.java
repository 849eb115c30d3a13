package dptrain.worker.collective;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Rings of threads in this JVM on loopback, for tests. */
final class Rings {

    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static final byte[] SECRET = "test secret, 32 bytes long......".getBytes(StandardCharsets.UTF_8);

    private Rings() {
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static CollectiveSettings settings() {
        return settings(SECRET, "job-1/stage-3/attempt-0");
    }

    static CollectiveSettings settings(byte[] secret, String tag) {
        return new CollectiveSettings(secret, tag, loopback(), TIMEOUT);
    }

    /** Opens a healthy ring of {@code size} ranks; fails the test if any rank fails. */
    static List<Collective> open(int size) {
        return open(size, settings());
    }

    /** Opens a healthy ring of {@code size} ranks with {@code settings}; fails the test if any rank fails. */
    static List<Collective> open(int size, CollectiveSettings settings) {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(size, Duration.ofSeconds(10));
        return open(size, settings, rendezvous::forRank);
    }

    /** Opens a healthy ring whose ranks meet at {@code rendezvous}; fails the test if any rank fails. */
    static List<Collective> open(int size, CollectiveSettings settings, IntFunction<Rendezvous> rendezvous) {
        List<Outcome<Collective>> outcomes = onEveryRank(size,
                rank -> () -> GroupFormation.form(rank, size, rendezvous.apply(rank), settings,
                        GroupFormation.SameJvm.TCP_RING));
        List<Collective> ring = new ArrayList<>();
        for (Outcome<Collective> outcome : outcomes) {
            if (outcome.failure() != null) {
                outcomes.forEach(o -> {
                    if (o.value() != null) {
                        o.value().close();
                    }
                });
                throw new AssertionError("opening the ring failed", outcome.failure());
            }
            ring.add(outcome.value());
        }
        return ring;
    }

    /** What one rank's action returned or threw, and how long it took. */
    record Outcome<T>(T value, Throwable failure, long millis) {
    }

    /** Runs one action per rank, each on its own thread, and waits for all of them. */
    static <T> List<Outcome<T>> onEveryRank(int size, IntFunction<Callable<T>> action) {
        ExecutorService threads = Executors.newFixedThreadPool(size);
        try {
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (int rank = 0; rank < size; rank++) {
                Callable<T> task = action.apply(rank);
                futures.add(threads.submit(() -> {
                    long start = System.nanoTime();
                    try {
                        T value = task.call();
                        return new Outcome<>(value, null, (System.nanoTime() - start) / 1_000_000);
                    } catch (Throwable t) {
                        return new Outcome<>(null, t, (System.nanoTime() - start) / 1_000_000);
                    }
                }));
            }
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            threads.shutdownNow();
        }
    }

    static void closeAll(List<Collective> ring) {
        ring.forEach(Collective::close);
    }
}
