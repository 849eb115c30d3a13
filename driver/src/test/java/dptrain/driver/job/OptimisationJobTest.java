package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimisation keys through whole jobs on the shared local Spark session. */
class OptimisationJobTest {

    /** 5 warm-up iterations, then 0.01 halved every 10 iterations. */
    private static final String SCHEDULE = "training.optimizer.schedule={type: step, warmup_iterations: 5, "
            + "step_size: 10, gamma: 0.5}";

    @TempDir
    Path dir;

    /**
     * 600 rows, 20% held out: 480 training rows in batches of 32, 15 iterations per epoch. The
     * {@code lr} of an epoch is the rate of its last iteration {@code i}: with {@code t = i - 5}
     * after the warm-up, {@code 0.01 * 0.5^floor(t / 10)}. Resuming with more epochs continues the
     * schedule from the checkpoint's iteration.
     */
    @Test
    void lrColumnFollowsTheScheduleAcrossAResume() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 600, 1);
        Path output = dir.resolve("out");
        String yaml = JobFixtures.classificationSpec(train, null, output);

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml, SCHEDULE));
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(yaml, SCHEDULE, "training.epochs=4"));

        List<JsonNode> metrics = JobFixtures.metrics(output);
        assertEquals(4, metrics.size());
        int[] iterations = {15, 30, 45, 60};
        // last iterations 14, 29, 44, 59 -> t = 9, 24, 39, 54
        double[] rates = {0.01, 0.0025, 0.00125, 0.0003125};
        for (int e = 0; e < 4; e++) {
            assertEquals(iterations[e], metrics.get(e).get("iteration").asInt(), "iteration of epoch " + (e + 1));
            assertEquals(rates[e], metrics.get(e).get("lr").asDouble(), 1e-15, "lr of epoch " + (e + 1));
        }
        assertEquals(3, JobFixtures.summary(output).get("resumed_from_epoch").asInt());
    }

    /** {@code training.averaging=parameters}: local steps, averages every 8, the ranks' checkpoints agree with a rerun. */
    @Test
    void parameterAveragingTrainsAndIsReproducible() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 600, 1);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 200, 2);
        String[] overrides = {"training.averaging=parameters", "training.averaging_frequency=8",
            "training.optimizer.type=adamw", "training.optimizer.clip_norm=5"};
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(JobFixtures.classificationSpec(train, test, first),
                overrides));
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(JobFixtures.classificationSpec(train, test, second),
                overrides));

        List<JsonNode> metrics = JobFixtures.metrics(first);
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(2).get("train_loss").asDouble() < metrics.get(0).get("train_loss").asDouble(),
                "training loss should fall: " + metrics);
        assertTrue(JobFixtures.summary(first).get("test_accuracy").asDouble() > 0.8,
                "test accuracy " + JobFixtures.summary(first));
        Checkpoint a = CheckpointReader.latest(first.resolve("checkpoints"));
        Checkpoint b = CheckpointReader.latest(second.resolve("checkpoints"));
        assertEquals(45, a.state().iteration());
        assertArrayEquals(a.state().params(), b.state().params(), "same seed, same parameters");
    }
}
