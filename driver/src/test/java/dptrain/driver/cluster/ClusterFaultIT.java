package dptrain.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * <b>Slow multi-process test</b> (failsafe, {@code ./mvnw verify}): a real Spark standalone
 * cluster — a master and two 1-core workers as separate JVMs on 127.0.0.1 — and jobs submitted
 * with {@code deploy/submit.sh} (Spark's {@code SparkSubmit}, {@code driver/target/dptrain.jar}),
 * training a 784-64-10 MLP on 2,000 Fashion-MNIST rows (500 test rows) with 2 workers for 3 epochs. Each test
 * breaks something and states the outcome in numbers:
 *
 * <ul>
 *   <li>more workers than task slots: one error line before any training (exit 2);</li>
 *   <li>an executor JVM killed (SIGKILL) during epoch 2: the epoch is relaunched from its start
 *       state ({@code attempts = 2} in metrics.jsonl), training completes, and test accuracy is
 *       within 1 point of the undisturbed run (the parameters are in fact identical, and asserted so);</li>
 *   <li>the driver killed (SIGKILL) during epoch 2, after the epoch-1 checkpoint: the same command
 *       again resumes and ends with bit-for-bit the parameters and updater state of the undisturbed run;</li>
 *   <li>a peer frozen (SIGSTOP) during epoch 2 for longer than
 *       {@code training.collective_timeout_seconds}: the other rank's all-reduce times out, the
 *       epoch is relaunched once the peer is back, and the run completes.</li>
 * </ul>
 *
 * Logs of every process (master, workers, executors, drivers) stay in
 * {@code driver/target/cluster-it/faults/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FAULT_LIMIT = Duration.ofMinutes(5);
    private static final int EPOCHS = 3;

    private static StandaloneCluster cluster;
    private static Path spec;
    private static Run undisturbed;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = StandaloneCluster.start("faults", 2);
        FashionMnistSlice.CsvFiles data = FashionMnistSlice.write(cluster.dir().resolve("data"), 2000, 500);
        spec = Files.writeString(cluster.dir().resolve("mlp.yaml"), """
                data:
                  format: csv
                  train: %s
                  test: %s
                  label: label
                  validation_fraction: 0.1
                  normalize: scale
                  scale: 255
                model:
                  layers:
                    - {type: dense, units: 64, activation: relu}
                    - {type: output, units: 10, activation: softmax, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 16
                  epochs: %d
                  seed: 7
                  optimizer: {type: adam, learning_rate: 0.002}
                  collective_timeout_seconds: 20
                  epoch_retries: 2
                """.formatted(data.train(), data.test(), EPOCHS));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void moreWorkersThanSlotsIsOneErrorLineBeforeTraining() throws Exception {
        Path output = output("three-workers");
        Submission run = cluster.submit("three-workers", spec,
                List.of("spark.scheduler.maxRegisteredResourcesWaitingTime=10s"),
                List.of("output.dir=" + output, "training.workers=3"));

        int status = run.awaitExit();

        // Two 1-core executors; on a loaded machine not all may have registered within the 10 s.
        // dptrain's last line is the error; an executor still fetching the jar when the driver
        // exits may log Spark's own closed-connection error after it (seen under load).
        String last = run.output().lines().filter(line -> line.startsWith("dptrain:"))
                .reduce((first, second) -> second).orElse("");
        Matcher error = Pattern.compile("dptrain: error: training.workers: 3 workers need 3 task slots at once, but"
                + " the executors of Spark master " + Pattern.quote(cluster.masterUrl()) + " have (\\d+) \\(waited 10 s"
                + " for more to register, spark.scheduler.maxRegisteredResourcesWaitingTime\\)").matcher(last);
        assertTrue(error.matches(), "last line: " + last + "\n" + run.output());
        assertTrue(Integer.parseInt(error.group(1)) <= 2, last);
        assertFalse(run.output().contains("training epochs"), "training started:\n" + run.output());
        assertEquals(2, status, run.output());
        assertFalse(Files.exists(output.resolve("checkpoints")), "checkpoints written by a refused run");
        assertFalse(Files.exists(output.resolve("metrics.jsonl")), "metrics written by a refused run");
    }

    @Test
    @Order(2)
    void executorKilledInEpoch2IsRetriedAndAccuracyStaysWithinOnePoint() throws Exception {
        Run baseline = undisturbed();
        Path output = output("executor-killed");
        Set<Path> before = new HashSet<>(cluster.executorLogs());
        Submission run = cluster.submit("executor-killed", spec, List.of(), List.of("output.dir=" + output));

        Path log = awaitEpochStart(run, before, 2);
        ProcessHandle executor = cluster.executorWritingTo(log);
        assertNotNull(executor, "no live executor writes " + log);
        assertTrue(executor.destroyForcibly(), "could not SIGKILL executor " + executor.pid());
        executor.onExit().join();
        assertFalse(Files.exists(output.resolve("checkpoints/checkpoint-000002.dpt")),
                "epoch 2 had already finished when its executor was killed");
        run.awaitSuccess();

        List<JsonNode> metrics = metrics(output);
        assertEquals(List.of(1, 2, 1), attempts(metrics), "attempts per epoch");
        assertTrue(run.output().contains("epoch 2 attempt 1 failed, relaunching from the epoch-start state"),
                run.output());
        assertNotNull(newExecutorLogContaining(before, "/epoch-2/attempt-2 on executor"),
                "no executor of this run joined the ring of epoch 2 attempt 2");
        double accuracy = summary(output).get("test_accuracy").asDouble();
        assertEquals(baseline.testAccuracy(), accuracy, 0.01,
                "test accuracy after the executor was killed vs the undisturbed run");
        // Stronger than the issue's 1 point: the relaunch starts from the same state with the same
        // shards and seed, so it must end exactly where the undisturbed run ended.
        Checkpoint end = CheckpointReader.latest(output.resolve("checkpoints"));
        assertArrayEquals(baseline.end().state().params(), end.state().params(), "parameters after the relaunch");
        System.out.printf("executor killed in epoch 2: test accuracy %.4f (undisturbed %.4f)%n",
                accuracy, baseline.testAccuracy());
    }

    @Test
    @Order(3)
    void driverKilledInEpoch2ResumesToExactlyTheUndisturbedParameters() throws Exception {
        Run baseline = undisturbed();
        Path output = output("driver-killed");
        Set<Path> before = new HashSet<>(cluster.executorLogs());
        Submission first = cluster.submit("driver-killed", spec, List.of(), List.of("output.dir=" + output));

        awaitEpochStart(first, before, 2);
        first.kill();
        assertTrue(Files.exists(output.resolve("checkpoints/checkpoint-000001.dpt")), "no epoch-1 checkpoint");
        assertFalse(Files.exists(output.resolve("checkpoints/checkpoint-000002.dpt")),
                "epoch 2 had already finished when the driver was killed");
        Submission again = cluster.submit("driver-killed-again", spec, List.of(), List.of("output.dir=" + output));
        again.awaitSuccess();

        assertEquals(1, summary(output).get("resumed_from_epoch").asInt(), again.output());
        assertEquals(List.of(1, 2, 3), metrics(output).stream().map(line -> line.get("epoch").asInt()).toList());
        Checkpoint end = CheckpointReader.latest(output.resolve("checkpoints"));
        Checkpoint expected = baseline.end();
        assertEquals(expected.state().epoch(), end.state().epoch());
        assertEquals(expected.state().iteration(), end.state().iteration());
        assertArrayEquals(expected.state().params(), end.state().params(), "parameters after resume");
        assertArrayEquals(expected.state().updaterState(), end.state().updaterState(), "updater state after resume");
    }

    @Test
    @Order(4)
    void peerFrozenInTheAllReduceTimesOutAndTheEpochIsRetried() throws Exception {
        Path output = output("peer-frozen");
        Set<Path> before = new HashSet<>(cluster.executorLogs());
        Submission run = cluster.submit("peer-frozen", spec, List.of(),
                List.of("output.dir=" + output, "training.collective_timeout_seconds=5"));

        Path log = awaitEpochStart(run, before, 2);
        ProcessHandle executor = cluster.executorWritingTo(log);
        assertNotNull(executor, "no live executor writes " + log);
        signal("STOP", executor);
        try {
            Poll.until(FAULT_LIMIT, "the driver to report the failed attempt while the peer is frozen",
                    () -> run.output().contains("epoch 2 attempt 1 failed"), () -> StandaloneCluster.tail(run.log()));
        } finally {
            signal("CONT", executor);
        }
        run.awaitSuccess();

        assertEquals(List.of(1, 2, 1), attempts(metrics(output)), "attempts per epoch");
        assertNotNull(newExecutorLogContaining(before, "timed out after 5000 ms"),
                "no executor of this run reports the all-reduce timeout");
        assertEquals(EPOCHS, summary(output).get("epochs_total").asInt());
    }

    /** The same job with nothing broken; run once, by the first test that compares with it. */
    private static synchronized Run undisturbed() throws Exception {
        if (undisturbed == null) {
            Path output = output("undisturbed");
            Submission run = cluster.submit("undisturbed", spec, List.of(), List.of("output.dir=" + output));
            run.awaitSuccess();
            assertEquals(List.of(1, 1, 1), attempts(metrics(output)), "attempts of the undisturbed run");
            undisturbed = new Run(summary(output).get("test_accuracy").asDouble(),
                    CheckpointReader.latest(output.resolve("checkpoints")));
            System.out.printf("undisturbed run: test accuracy %.4f%n", undisturbed.testAccuracy());
        }
        return undisturbed;
    }

    /**
     * Waits until a rank of this run's {@code epoch} (first attempt) has joined the ring — it is
     * then in the epoch's iterations — in one of the executors launched since {@code before}, and
     * returns that executor's log.
     */
    private static Path awaitEpochStart(Submission run, Set<Path> before, int epoch) {
        String marker = "/epoch-" + epoch + "/attempt-1 on executor";
        Path[] found = new Path[1];
        Poll.until(FAULT_LIMIT, "a rank of epoch " + epoch + " to join the ring", () -> {
            if (!run.driver().isAlive()) {
                throw new AssertionError("the driver exited before epoch " + epoch + "\n"
                        + StandaloneCluster.tail(run.log()));
            }
            found[0] = newExecutorLogContaining(before, marker);
            return found[0] != null;
        }, () -> StandaloneCluster.tail(run.log()));
        return found[0];
    }

    /** The log of an executor launched since {@code before} that contains {@code text}, or null. */
    private static Path newExecutorLogContaining(Set<Path> before, String text) {
        return cluster.executorLogs().stream()
                .filter(log -> !before.contains(log) && StandaloneCluster.read(log).contains(text))
                .findFirst().orElse(null);
    }

    private static void signal(String name, ProcessHandle process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + process.pid());
    }

    private static Path output(String name) {
        return cluster.dir().resolve("runs").resolve(name);
    }

    private static List<JsonNode> metrics(Path output) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output.resolve("metrics.jsonl"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static List<Integer> attempts(List<JsonNode> metrics) {
        return metrics.stream().map(line -> line.get("attempts").asInt()).toList();
    }

    private static JsonNode summary(Path output) throws IOException {
        return JSON.readTree(output.resolve("summary.json").toFile());
    }

    private record Run(double testAccuracy, Checkpoint end) {
    }
}
