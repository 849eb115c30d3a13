package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ranks in one JVM: {@link Collectives#open} gives them the in-memory collective, which must sum like the ring. */
class LocalCollectiveTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 4, 5})
    void sumsEveryLengthExactlyAndIdenticallyOnEveryRank(int size) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(size, "sums-" + size, Collectives.AUTO, Rings.TIMEOUT);
            try {
                group.forEach(c -> assertInstanceOf(LocalCollective.class, c));
                long seed = 1;
                for (int length : new int[] {0, 1, 3, 7, 1000, 100003, 0, 5}) {
                    RingCollectiveTest.assertAllReduceMatchesDoubleSum(group, length, seed++);
                }
            } finally {
                Rings.closeAll(group);
            }
            assertEquals(0, LocalCollective.openGroups(), "a closed group stays registered");
        });
    }

    @Test
    void ringChoiceAlwaysBuildsTheTcpRing() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = open(2, "ring", " Ring ", Rings.TIMEOUT);
            try {
                ring.forEach(c -> assertInstanceOf(RingCollective.class, c));
                RingCollectiveTest.assertAllReduceMatchesDoubleSum(ring, 1000, 3);
            } finally {
                Rings.closeAll(ring);
            }
        });
    }

    @Test
    void anUnknownChoiceIsOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Collectives.checkChoice("shm"));
        assertEquals("spark.dptrain.collective: must be auto or ring, got 'shm'", e.getMessage());
        assertEquals(Collectives.AUTO, Collectives.checkChoice(null));
    }

    @Test
    void aRankThatNeverComesTimesTheOthersOut() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(2, "absent", Collectives.AUTO, Duration.ofMillis(300));
            try {
                CollectiveException e = assertThrows(CollectiveException.class,
                        () -> group.get(0).allReduceSum(new float[10]));
                assertEquals("rank 0: timed out after 300 ms waiting for the other ranks' buffers"
                        + " (in-memory all-reduce)", e.getMessage());
            } finally {
                Rings.closeAll(group);
            }
        });
    }

    @Test
    void aRankThatClosesBreaksTheWaitOfTheOthersAtOnce() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(3, "closing", Collectives.AUTO, Duration.ofSeconds(30));
            List<Rings.Outcome<Object>> outcomes = Rings.onEveryRank(3, rank -> () -> {
                if (rank == 2) {
                    Thread.sleep(200);
                    group.get(2).close();
                    return null;
                }
                group.get(rank).allReduceSum(new float[4]);
                return null;
            });
            for (int rank = 0; rank < 2; rank++) {
                Throwable failure = outcomes.get(rank).failure();
                assertNotNull(failure, "rank " + rank + " returned");
                assertEquals("rank " + rank + ": another rank of the in-memory all-reduce failed, timed out or closed",
                        failure.getMessage());
                assertTrue(outcomes.get(rank).millis() < 10_000, "waited " + outcomes.get(rank).millis() + " ms");
            }
            Rings.closeAll(group);
        });
    }

    @Test
    void buffersOfDifferentLengthsFailOnEveryRank() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(2, "lengths", Collectives.AUTO, Rings.TIMEOUT);
            try {
                List<Rings.Outcome<Object>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                    group.get(rank).allReduceSum(new float[3 + rank]);
                    return null;
                });
                assertEquals("rank 0: rank 1 all-reduces 4 floats, this rank 3", outcomes.get(0).failure().getMessage());
                assertEquals("rank 1: rank 0 all-reduces 3 floats, this rank 4", outcomes.get(1).failure().getMessage());
            } finally {
                Rings.closeAll(group);
            }
        });
    }

    /** Opens a group of {@code size} ranks, one thread each, through {@link Collectives#open}. */
    private static List<Collective> open(int size, String tag, String choice, Duration timeout) {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(size, Duration.ofSeconds(10));
        CollectiveSettings settings = new CollectiveSettings(Rings.SECRET, "local-test/" + tag, Rings.loopback(),
                timeout);
        List<Rings.Outcome<Collective>> outcomes = Rings.onEveryRank(size,
                rank -> () -> Collectives.open(rank, size, rendezvous.forRank(rank), settings, choice));
        List<Collective> group = new ArrayList<>();
        for (Rings.Outcome<Collective> outcome : outcomes) {
            if (outcome.failure() != null) {
                throw new AssertionError("opening failed", outcome.failure());
            }
            group.add(outcome.value());
        }
        return group;
    }
}
