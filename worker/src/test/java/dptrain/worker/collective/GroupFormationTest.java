package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.worker.collective.GroupFormation.SameJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link GroupFormation} decides before any data moves, and the lines it fails with when the
 * rendezvous hands back something unusable. Which collective comes back for ranks in one JVM is
 * in {@link LocalCollectiveTest}; rings formed through the driver's rendezvous in
 * {@link RendezvousServerTest}.
 */
class GroupFormationTest {

    @Test
    void singleRankNeedsNoRendezvousAndLeavesTheBufferAlone() {
        Collective solo = GroupFormation.form(0, 1, message -> {
            throw new AssertionError("a group of one must not rendezvous");
        }, Rings.settings(), SameJvm.TCP_RING);
        float[] buffer = {1.5f, -2f, 3f};
        solo.allReduceSum(buffer);
        assertArrayEquals(new float[] {1.5f, -2f, 3f}, buffer);
        solo.close();
        solo.close();
    }

    @Test
    void formRejectsImpossibleRanks() {
        Rendezvous unused = message -> new String[] {message};
        assertThrows(IllegalArgumentException.class,
                () -> GroupFormation.form(2, 2, unused, Rings.settings(), SameJvm.TCP_RING));
        assertThrows(IllegalArgumentException.class,
                () -> GroupFormation.form(-1, 2, unused, Rings.settings(), SameJvm.TCP_RING));
        assertThrows(IllegalArgumentException.class,
                () -> GroupFormation.form(0, 0, unused, Rings.settings(), SameJvm.TCP_RING));
        assertThrows(NullPointerException.class,
                () -> GroupFormation.form(0, 2, unused, Rings.settings(), null));
    }

    @ParameterizedTest
    @EnumSource(SameJvm.class)
    void anUnusableAddressOfThePeerIsNamed(SameJvm sameJvm) {
        CollectiveException e = assertThrows(CollectiveException.class, () -> GroupFormation.form(0, 2,
                message -> new String[] {message, "nonsense"}, Rings.settings(), sameJvm));
        assertEquals("rank 0: rank 1 published address 'nonsense' but it is not host:port", e.getMessage());
    }

    @Test
    void aRendezvousThatReturnsTheWrongNumberOfAddressesFails() {
        CollectiveException tooFew = assertThrows(CollectiveException.class, () -> GroupFormation.form(1, 3,
                message -> new String[] {message}, Rings.settings(), SameJvm.TCP_RING));
        assertEquals("rank 1: address exchange returned 1 addresses for 3 ranks", tooFew.getMessage());
        CollectiveException none = assertThrows(CollectiveException.class, () -> GroupFormation.form(1, 3,
                message -> null, Rings.settings(), SameJvm.TCP_RING));
        assertEquals("rank 1: address exchange returned null for 3 ranks", none.getMessage());
    }

    @Test
    void aFailingRendezvousIsWrappedWithTheRank() {
        CollectiveException e = assertThrows(CollectiveException.class, () -> GroupFormation.form(0, 2,
                message -> {
                    throw new IllegalStateException("the barrier was aborted");
                }, Rings.settings(), SameJvm.TCP_RING));
        assertEquals("rank 0: address exchange failed: java.lang.IllegalStateException: the barrier was aborted",
                e.getMessage());
    }
}
