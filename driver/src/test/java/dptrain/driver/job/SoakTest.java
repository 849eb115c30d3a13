package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: 40 epochs of a small model with 2 workers. In local mode the driver and both executors
 * are this JVM, so its memory is theirs: after every epoch (a new line in metrics.jsonl) the test
 * takes the heap in use after a full GC, the direct buffer pool (the all-reduce sockets' buffers)
 * and the resident set, which holds everything off-heap (ND4J's native buffers are not tracked by
 * JavaCPP's counters on the CPU backend, so the resident set is their measure). None may grow from the
 * early epochs to the late ones beyond noise. The figures are written to
 * {@code driver/target/soak-memory.csv}.
 */
class SoakTest {

    private static final int EPOCHS = 40;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void memoryDoesNotGrowOverFortyEpochs() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 400, 21);
        Path output = dir.resolve("out");
        var spec = JobFixtures.spec(JobFixtures.classificationSpec(train, null, output),
                "training.epochs=" + EPOCHS, "checkpoint.keep=2");
        CompletableFuture<?> job = CompletableFuture.runAsync(() -> TrainJob.run(SparkTestSession.get(), spec));

        List<long[]> samples = new ArrayList<>(); // epoch, heap, direct, rss
        Path metrics = output.resolve("metrics.jsonl");
        int seen = 0;
        while (!job.isDone() || seen < EPOCHS) {
            int epochs = Files.exists(metrics) ? (int) Files.readAllLines(metrics).stream().count() : 0;
            if (epochs > seen) {
                seen = epochs;
                samples.add(sample(seen));
            } else if (job.isDone()) {
                break;
            } else {
                Thread.sleep(20);
            }
        }
        job.get(1, TimeUnit.MINUTES);
        assertEquals(EPOCHS, Files.readAllLines(metrics).size());

        StringBuilder csv = new StringBuilder("epoch,heap_used_mib,direct_buffers_mib,rss_mib\n");
        for (long[] s : samples) {
            csv.append(s[0]).append(',').append(s[1] / MIB).append(',').append(s[2] / MIB).append(',')
                    .append(s[3] / MIB).append('\n');
        }
        Files.writeString(Path.of("target", "soak-memory.csv"), csv);
        System.out.print(csv);

        // Early = epochs 6..15 (after warm-up), late = the last 10 sampled epochs.
        List<long[]> early = samples.stream().filter(s -> s[0] >= 6 && s[0] <= 15).toList();
        List<long[]> late = samples.subList(Math.max(0, samples.size() - 10), samples.size());
        assertTrue(early.size() >= 5 && late.size() >= 5, "too few samples: " + csv);
        assertNoGrowth("heap after GC", early, late, 1, 24 * MIB, csv);
        assertNoGrowth("direct buffers", early, late, 2, 4 * MIB, csv);
        assertNoGrowth("resident set", early, late, 3, 96 * MIB, csv);
    }

    private static long[] sample(int epoch) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return new long[] {epoch, heap, direct, Pointer.physicalBytes()};
    }

    private static void assertNoGrowth(String what, List<long[]> early, List<long[]> late, int column, long slack,
                                       CharSequence csv) {
        long before = median(early, column);
        long after = median(late, column);
        assertTrue(after <= before + slack, what + " grew from a median of " + before / MIB + " MiB (epochs 6-15) to "
                + after / MIB + " MiB (last 10 epochs), more than " + slack / MIB + " MiB:\n" + csv);
    }

    private static long median(List<long[]> samples, int column) {
        long[] values = samples.stream().mapToLong(s -> s[column]).sorted().toArray();
        return values[values.length / 2];
    }
}
