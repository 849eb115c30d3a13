package dptrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sharding rule on its own: row p to rank p mod W, in input order, sizes within one row. */
class ShardingTest {

    @Test
    void rowsAreDealtInInputOrder() {
        Sharding sharding = new Sharding(3);
        List<List<Long>> shards = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (long p = 0; p < 11; p++) {
            assertEquals(shards.get(sharding.rankOf(p)).size(), sharding.indexInShard(p), "row " + p);
            shards.get(sharding.rankOf(p)).add(p);
        }
        assertEquals(List.of(List.of(0L, 3L, 6L, 9L), List.of(1L, 4L, 7L, 10L), List.of(2L, 5L, 8L)), shards);
        assertArrayEquals(new long[] {4, 4, 3}, sharding.shardRows(11));
    }

    /** shardRows(rank, p) is where the rank's next row at or after p sits in its shard, for every p. */
    @Test
    void rowsBeforeAPositionCountTheRanksEarlierRows() {
        for (int workers = 1; workers <= 5; workers++) {
            Sharding sharding = new Sharding(workers);
            long[] seen = new long[workers];
            for (long p = 0; p <= 23; p++) {
                for (int rank = 0; rank < workers; rank++) {
                    assertEquals(seen[rank], sharding.shardRows(rank, p),
                            workers + " workers, rank " + rank + ", row " + p);
                }
                if (p < 23) {
                    seen[sharding.rankOf(p)]++;
                }
            }
            long[] sizes = sharding.shardRows(23);
            assertEquals(23, java.util.Arrays.stream(sizes).sum());
            assertEquals(sizes[0], sizes[workers - 1] + (23 % workers == 0 ? 0 : 1));
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals("workers must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new Sharding(0)).getMessage());
        assertEquals("rank must be in [0, 2), got 2",
                assertThrows(IllegalArgumentException.class, () -> new Sharding(2).shardRows(2, 5)).getMessage());
        assertEquals("row numbers start at 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new Sharding(2).rankOf(-1)).getMessage());
    }
}
