package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.Collective;
import dptrain.worker.collective.CollectiveSettings;
import dptrain.worker.collective.GroupFormation;
import dptrain.worker.collective.InMemoryRendezvous;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.schedule.CosineRestarts;
import dptrain.worker.schedule.LinearWarmup;
import dptrain.worker.step.Momentum;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.testing.ReferenceTraining;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * N ranks training synchronously must give the parameters of single-process DL4J
 * {@code net.fit(globalBatch)} on the same global batches, and identical parameters on every rank.
 */
class DataParallelExactnessTest {

    private static final long SEED = 7;
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, updater, l2, shard rows, global batch, epochs (iterations = epochs * ceil(sum/batch) >= 50)
                Arguments.of("sgd, even shards", new Sgd(0.1), 0.0, new long[] {100, 100}, 16, 4),
                Arguments.of("adam + l2, shards of different sizes, short last batch",
                        new Adam(0.01), 1e-3, new long[] {97, 64}, 10, 3),
                Arguments.of("momentum, three ranks", new Momentum(0.05, 0.9), 0.0, new long[] {41, 40, 40}, 24, 10),
                Arguments.of("adam, more iterations than rows in a part", new Adam(0.005), 0.0, new long[] {9, 30}, 3, 4),
                Arguments.of("sgd, warm-up then cosine restarts (the schedule reads the global iteration)",
                        new Sgd(new LinearWarmup(8, new CosineRestarts(0.2, 10, 2, 0.01))), 0.0,
                        new long[] {50, 50}, 8, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ranksMatchSingleProcessTraining(String name, IUpdater updater, double l2, long[] shardRows, int batch,
                                         int epochs) throws Exception {
        assertSameAsSingleProcess(updater, l2, shardRows, batch, epochs, size -> SharedMemoryCollective.group(size));
    }

    @ParameterizedTest(name = "{0}, socket ring")
    @MethodSource("cases")
    void ranksOnTheSocketRingMatchSingleProcessTraining(String name, IUpdater updater, double l2, long[] shardRows,
                                                        int batch, int epochs) throws Exception {
        assertSameAsSingleProcess(updater, l2, shardRows, batch, epochs, size -> ring(size, false));
    }

    @ParameterizedTest(name = "{0}, encrypted ring equals the plain ring bit for bit")
    @MethodSource("cases")
    void ranksOnTheEncryptedRingTrainExactlyAsOnThePlainRing(String name, IUpdater updater, double l2,
                                                             long[] shardRows, int batch, int epochs) throws Exception {
        NetworkState plain = assertSameAsSingleProcess(updater, l2, shardRows, batch, epochs,
                size -> ring(size, false));
        NetworkState encrypted = assertSameAsSingleProcess(updater, l2, shardRows, batch, epochs,
                size -> ring(size, true));
        assertArrayEquals(plain.params(), encrypted.params());
        assertArrayEquals(plain.updaterState(), encrypted.updaterState());
        assertEquals(plain.iteration(), encrypted.iteration());
    }

    /** A real authenticated TCP ring on loopback, opened concurrently by one thread per rank. */
    private static Collective[] ring(int size, boolean encrypted) {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(size);
        CollectiveSettings settings = new CollectiveSettings(new byte[32], "exactness-test",
                InetAddress.getLoopbackAddress(), Duration.ofSeconds(30)).withEncryption(encrypted);
        ExecutorService openers = Executors.newFixedThreadPool(size);
        try {
            List<Future<Collective>> opened = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                opened.add(openers.submit(() -> GroupFormation.form(rank, size, rendezvous.forRank(rank), settings,
                        GroupFormation.SameJvm.TCP_RING)));
            }
            Collective[] group = new Collective[size];
            for (int r = 0; r < size; r++) {
                group[r] = opened.get(r).get(60, TimeUnit.SECONDS);
            }
            return group;
        } catch (Exception e) {
            throw new IllegalStateException("could not open the ring", e);
        } finally {
            openers.shutdownNow();
        }
    }

    /** The end state of the ranks' training, once checked against single-process DL4J. */
    static NetworkState assertSameAsSingleProcess(IUpdater updater, double l2, long[] shardRows, int batch, int epochs,
                                          IntFunction<Collective[]> collectives) throws Exception {
        return assertSameAsSingleProcess(TinyNetworks.classifier(updater, l2, SEED), shardRows, batch, epochs,
                collectives);
    }

    /** The check above for any classifier of {@link TinyNetworks}' inputs and classes, given as DL4J JSON. */
    static NetworkState assertSameAsSingleProcess(String json, long[] shardRows, int batch, int epochs,
                                                  IntFunction<Collective[]> collectives) throws Exception {
        int ranks = shardRows.length;
        ShardBlock[] blocks = new ShardBlock[ranks];
        for (int r = 0; r < ranks; r++) {
            blocks[r] = TinyNetworks.block((int) shardRows[r], 100 + r);
        }
        NetworkState state = NetworkState.initial(json);
        MultiLayerNetwork reference = (MultiLayerNetwork) state.restore(json).model();
        int iterations = 0;

        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                EpochPlan plan = new EpochPlan(json, state, SEED, batch, shardRows, TinyNetworks.CLASSES,
                        new byte[32], "test/epoch" + epoch, 30, StepSettings.DEFAULT, false, null);
                Collective[] group = collectives.apply(ranks);
                List<Future<EpochReport>> futures = new ArrayList<>();
                for (int r = 0; r < ranks; r++) {
                    int rank = r;
                    futures.add(pool.submit(() -> {
                        try (Collective collective = group[rank]) {
                            return EpochRunner.run(plan, rank, blocks[rank], collective);
                        }
                    }));
                }
                List<EpochReport> reports = new ArrayList<>();
                for (Future<EpochReport> future : futures) {
                    reports.add(future.get(120, TimeUnit.SECONDS));
                }
                for (EpochReport report : reports) {
                    assertEquals(reports.get(0).paramsFingerprint(), report.paramsFingerprint(),
                            "rank " + report.rank() + " parameters differ from rank 0 after epoch " + epoch);
                    // one timed all-reduce per iteration, and they add up to the rank's all-reduce time
                    assertEquals(report.iterations(), report.allReduceMicros().length);
                    double micros = 0;
                    for (float call : report.allReduceMicros()) {
                        micros += call;
                    }
                    assertEquals(report.allReduceNanos() / 1e3, micros, 1e-4 * micros + 1);
                }
                state = reports.get(0).end();
                iterations += reports.get(0).iterations();

                ReferenceTraining.fitEpoch(reference, blocks, new BatchPlan(shardRows, batch, SEED, epoch),
                        TinyNetworks.CLASSES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(iterations >= 50, "only " + iterations + " iterations");
        assertEquals(reference.getLayerWiseConfigurations().getIterationCount(), state.iteration());
        ReferenceTraining.assertClose(reference.params().toFloatVector(), state.params(), TOLERANCE);
        INDArray referenceUpdater = reference.getUpdater().getStateViewArray();
        if (referenceUpdater != null) {
            ReferenceTraining.assertClose(referenceUpdater.toFloatVector(), state.updaterState(), TOLERANCE);
        }
        return state;
    }
}
