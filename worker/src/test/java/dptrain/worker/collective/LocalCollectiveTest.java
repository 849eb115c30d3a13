package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ranks that are threads of one JVM: {@link GroupFormation#form} with {@code SameJvm.IN_MEMORY}
 * gives them {@link LocalCollective}, which must sum like the ring, and fail like it.
 */
class LocalCollectiveTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 4, 5})
    void sumsEveryLengthExactlyAndIdenticallyOnEveryRank(int size) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(size, "sums-" + size, true, Rings.TIMEOUT, false);
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
    void withoutTheChoiceOrWithARankInAnotherJvmTheRanksBuildTheTcpRing() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> ring = open(2, "ring", false, Rings.TIMEOUT, false);
            List<Collective> mixed = open(3, "mixed", true, Rings.TIMEOUT, true);
            try {
                ring.forEach(c -> assertInstanceOf(RingCollective.class, c));
                mixed.forEach(c -> assertInstanceOf(RingCollective.class, c));
                RingCollectiveTest.assertAllReduceMatchesDoubleSum(ring, 1000, 3);
                RingCollectiveTest.assertAllReduceMatchesDoubleSum(mixed, 1000, 4);
            } finally {
                Rings.closeAll(ring);
                Rings.closeAll(mixed);
            }
        });
    }

    @Test
    void aRankThatNeverComesTimesTheOthersOut() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(2, "absent", true, Duration.ofMillis(300), false);
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
            List<Collective> group = open(3, "closing", true, Duration.ofSeconds(30), false);
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
            }
            Rings.closeAll(group);
        });
    }

    @Test
    void buffersOfDifferentLengthsFailOnEveryRank() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Collective> group = open(2, "lengths", true, Rings.TIMEOUT, false);
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

    /**
     * Opens a group of {@code size} ranks, one thread each, through {@link GroupFormation#form};
     * with {@code lastElsewhere} the last rank publishes another JVM's id.
     */
    private static List<Collective> open(int size, String tag, boolean inMemory, Duration timeout,
            boolean lastElsewhere) {
        InMemoryRendezvous shared = new InMemoryRendezvous(size);
        IntFunction<Rendezvous> rendezvous = rank -> message -> shared.forRank(rank).allGather(
                lastElsewhere && rank == size - 1 ? message.replace(LocalCollective.JVM, "another-jvm") : message);
        CollectiveSettings settings = new CollectiveSettings(Rings.SECRET, "local-test/" + tag, Rings.loopback(),
                timeout);
        List<Rings.Outcome<Collective>> outcomes = Rings.onEveryRank(size,
                rank -> () -> GroupFormation.form(rank, size, rendezvous.apply(rank), settings,
                        inMemory ? GroupFormation.SameJvm.IN_MEMORY : GroupFormation.SameJvm.TCP_RING));
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
