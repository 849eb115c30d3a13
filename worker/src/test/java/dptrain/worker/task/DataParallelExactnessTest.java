package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.BatchAssembler;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Momentum;
import dptrain.worker.step.NetworkState;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
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
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
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
                Arguments.of("adam, more iterations than rows in a part", new Adam(0.005), 0.0, new long[] {9, 30}, 3, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ranksMatchSingleProcessTraining(String name, IUpdater updater, double l2, long[] shardRows, int batch,
                                         int epochs) throws Exception {
        assertSameAsSingleProcess(updater, l2, shardRows, batch, epochs, size -> SharedMemoryCollective.group(size));
    }

    static void assertSameAsSingleProcess(IUpdater updater, double l2, long[] shardRows, int batch, int epochs,
                                          IntFunction<Collective[]> collectives) throws Exception {
        String json = TinyNetworks.classifier(updater, l2, SEED);
        int ranks = shardRows.length;
        ShardBlock[] blocks = new ShardBlock[ranks];
        for (int r = 0; r < ranks; r++) {
            blocks[r] = TinyNetworks.block((int) shardRows[r], 100 + r);
        }
        NetworkState state = NetworkState.initial(json);
        MultiLayerNetwork reference = state.restore(json);
        int iterations = 0;

        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                EpochPlan plan = new EpochPlan(json, state, SEED, batch, shardRows, TinyNetworks.CLASSES,
                        new byte[32], "test/epoch" + epoch, 30);
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
                }
                state = reports.get(0).end();
                iterations += reports.get(0).iterations();

                fitReference(reference, blocks, new BatchPlan(shardRows, batch, SEED, epoch));
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(iterations >= 50, "only " + iterations + " iterations");
        assertEquals(reference.getLayerWiseConfigurations().getIterationCount(), state.iteration());
        assertClose(reference.params().toFloatVector(), state.params());
        INDArray referenceUpdater = reference.getUpdater().getStateViewArray();
        if (referenceUpdater != null) {
            assertClose(referenceUpdater.toFloatVector(), state.updaterState());
        }
    }

    /** Plain DL4J: one {@code fit} per global batch, the batch being the ranks' parts in rank order. */
    private static void fitReference(MultiLayerNetwork net, ShardBlock[] blocks, BatchPlan plan) {
        int[][] orders = new int[blocks.length][];
        for (int r = 0; r < blocks.length; r++) {
            orders[r] = plan.order(r);
        }
        for (int i = 0; i < plan.iterations(); i++) {
            List<INDArray> features = new ArrayList<>();
            List<INDArray> labels = new ArrayList<>();
            for (int r = 0; r < blocks.length; r++) {
                int count = plan.partSize(r, i);
                if (count > 0) {
                    BatchAssembler assembler = new BatchAssembler(blocks[r], TinyNetworks.CLASSES);
                    features.add(assembler.features(orders[r], plan.partStart(r, i), count));
                    labels.add(assembler.labels(orders[r], plan.partStart(r, i), count));
                }
            }
            net.fit(new DataSet(Nd4j.concat(0, features.toArray(INDArray[]::new)),
                    Nd4j.concat(0, labels.toArray(INDArray[]::new))));
        }
        net.getLayerWiseConfigurations().setEpochCount(plan.epoch() + 1);
    }

    /**
     * Float32 rounding differs between one batch and the sum of its parts, so the comparison is
     * relative to the size of the parameters: every element within 1e-5 of the largest magnitude.
     */
    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        for (float value : expected) {
            scale = Math.max(scale, Math.abs(value));
        }
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs(expected[i] - actual[i]);
            if (difference > worst) {
                worst = difference;
                worstIndex = i;
            }
        }
        assertTrue(worst <= TOLERANCE * scale, "difference " + worst + " (" + worst / scale
                + " of the largest magnitude " + scale + ") at " + worstIndex + ": expected " + expected[worstIndex]
                + ", got " + actual[worstIndex]);
    }
}
