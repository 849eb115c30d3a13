package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryRendezvousTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @Test
    void everyRankGetsAllMessagesInRankOrderRoundAfterRound() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            InMemoryRendezvous rendezvous = new InMemoryRendezvous(3, Duration.ofSeconds(10));
            for (int round = 0; round < 3; round++) {
                int r = round;
                List<Rings.Outcome<String[]>> outcomes = Rings.onEveryRank(3,
                        rank -> () -> rendezvous.forRank(rank).allGather("m" + r + "-" + rank));
                for (Rings.Outcome<String[]> outcome : outcomes) {
                    assertNull(outcome.failure());
                    assertArrayEquals(new String[] {"m" + r + "-0", "m" + r + "-1", "m" + r + "-2"}, outcome.value());
                }
            }
        });
    }

    @Test
    void missingRankMakesTheOthersFailAfterTheTimeout() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            InMemoryRendezvous rendezvous = new InMemoryRendezvous(3, Duration.ofMillis(300));
            List<Rings.Outcome<String[]>> outcomes = Rings.onEveryRank(2,
                    rank -> () -> rendezvous.forRank(rank).allGather("hello"));
            for (Rings.Outcome<String[]> outcome : outcomes) {
                CollectiveException failure = assertInstanceOf(CollectiveException.class, outcome.failure());
                assertTrue(failure.getMessage().contains("[2]"), failure.getMessage());
            }
            assertThrows(CollectiveException.class, () -> rendezvous.forRank(2).allGather("late"));
        });
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRendezvous(0));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRendezvous(2, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRendezvous(2).forRank(2));
        assertArrayEquals(new String[] {"solo"}, new InMemoryRendezvous(1).forRank(0).allGather("solo"));
    }
}
