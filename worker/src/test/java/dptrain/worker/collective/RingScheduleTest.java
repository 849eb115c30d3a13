package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ring's schedule on its own: what neighbours agree on without saying it on the wire. */
class RingScheduleTest {

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 4, 7})
    void eachRankReceivesWhatItsPredecessorSendsAndSendsOnWhatItReceived(int size) {
        for (int rank = 0; rank < size; rank++) {
            RingSchedule self = new RingSchedule(rank, size);
            RingSchedule predecessor = new RingSchedule((rank + size - 1) % size, size);
            assertEquals(2 * (size - 1), self.steps());
            for (int step = 0; step < self.steps(); step++) {
                assertEquals(predecessor.sendSegment(step), self.receiveSegment(step), "step " + step);
                if (step > 0) {
                    assertEquals(self.receiveSegment(step - 1), self.sendSegment(step), "step " + step);
                }
            }
            // After the reduce-scatter this rank holds the whole sum of segment rank+1, which the
            // all-gather sends first.
            assertEquals((rank + 1) % size, self.sendSegment(size - 1));
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 5})
    void segmentsCoverTheBufferWithoutGapsForEveryLength(int size) {
        RingSchedule schedule = new RingSchedule(0, size);
        for (int length : new int[] {0, 1, size - 1, size, 1001}) {
            int end = 0;
            for (int segment = 0; segment < size; segment++) {
                assertEquals(end, schedule.segmentStart(segment, length));
                end += schedule.segmentLength(segment, length);
            }
            assertEquals(length, end);
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void stepsAreNamedForMessages(int size) {
        RingSchedule schedule = new RingSchedule(0, size);
        assertEquals("reduce-scatter data (step 1 of " + (size - 1) + ")", schedule.stepName(0));
        assertEquals("all-gather data (step 1 of " + (size - 1) + ")", schedule.stepName(size - 1));
        assertEquals("all-gather data (step " + (size - 1) + " of " + (size - 1) + ")",
                schedule.stepName(2 * size - 3));
    }
}
