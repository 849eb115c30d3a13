package dptrain.worker.task;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.BatchAssembler;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.NonFiniteValueException;
import dptrain.worker.step.StepSettings;
import dptrain.worker.step.StepStatistics;
import dptrain.worker.step.TrainingStep;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one epoch on one rank: for each batch of the {@link BatchPlan}, one {@link TrainingStep}
 * over this rank's part; the step, built once for the epoch, holds what the averaging mode needs.
 * A non-finite loss, averaged gradient or averaged parameters stop the epoch with a
 * {@link DivergenceException} naming epoch and iteration. Independent of Spark, so tests can run
 * ranks as threads; {@link BarrierEpochFunction} runs it inside a barrier task.
 */
public final class EpochRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EpochRunner.class);
    private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

    private EpochRunner() {
    }

    public static EpochReport run(EpochPlan plan, int rank, ShardBlock block, Collective collective) {
        NetworkState start = plan.start();
        if (block.rows() != plan.shardRows()[rank]) {
            throw new IllegalStateException("rank " + rank + " holds " + block.rows() + " rows, the plan expects "
                    + plan.shardRows()[rank]);
        }
        BatchPlan batches = new BatchPlan(plan.shardRows(), plan.batchSize(), plan.seed(), start.epoch());
        int[] order = batches.order(rank);
        Network net = start.restore(plan.configurationJson());
        BatchAssembler assembler = new BatchAssembler(block, net.sparseLabels() ? 0 : plan.classes());
        TimedCollective timed = new TimedCollective(collective, batches.iterations());
        StepSettings settings = plan.step();
        // every rank watches, though only rank 0 reports: the norms cost the same on each rank, so
        // the others do not wait for rank 0's at the next all-reduce (they showed as all-reduce time)
        StepStatistics statistics = new StepStatistics(settings.probeEvery());
        int iterations = batches.iterations();
        TrainingStep step = TrainingStep.forEpoch(net, timed, settings, statistics, iterations);
        // dropout masks come from ND4J's (per-thread) random generator: seeded per job seed, epoch and
        // rank, so the ranks draw different masks for their parts (as one process would for the rows of
        // one batch) and a retried or resumed epoch draws the same ones again
        long epochSeed = new SplittableRandom(plan.seed() ^ start.epoch() * 0x9E3779B97F4A7C15L).nextLong();
        Nd4j.getRandom().setSeed(epochSeed + rank);

        int epoch = start.epoch() + 1;
        double lossSum = 0;
        long begin;
        long lastProgress;
        int iteration = 0;
        try {
            // The ranks set up at their own pace (the network restored from JSON, cold code in the
            // first epochs); they meet once before the timed loop, so that skew counts as set-up
            // rather than as waiting in the first iteration's all-reduce (it was up to 25 ms).
            collective.allReduceSum(new float[1]);
            begin = System.nanoTime();
            lastProgress = begin;
            for (; iteration < iterations; iteration++) {
                int from = batches.partStart(rank, iteration);
                int count = batches.partSize(rank, iteration);
                INDArray features = assembler.features(order, from, count);
                INDArray labels = assembler.labels(order, from, count);
                lossSum += step.step(features, labels, batches.globalBatchSize(iteration));
                long now = System.nanoTime();
                if (rank == 0 && now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                    lastProgress = now;
                    long done = (long) (iteration + 1) * plan.batchSize();
                    LOG.info("epoch {} iteration {}/{} loss {} {} samples/s", epoch, iteration + 1,
                            iterations, String.format("%.4f", lossSum / Math.max(1, done)),
                            Math.round(done / ((now - begin) / 1e9)));
                }
            }
        } catch (NonFiniteValueException e) {
            // deterministic, and the same on every rank: the driver must recognise it and not retry
            throw new DivergenceException(epoch, start.iteration() + iteration, e.getMessage());
        } catch (RuntimeException e) {
            throw new EpochFailedException(start.epoch(), start.iteration() + iteration, rank, e);
        }
        long total = System.nanoTime() - begin;
        net.setEpochCount(start.epoch() + 1);
        step.finish();
        NetworkState end = NetworkState.capture(net);
        return new EpochReport(rank, rank == 0 ? end : null, NetworkState.fingerprint(end.params()), lossSum,
                batches.totalRows(), iterations, total - timed.nanos(), timed.nanos(), timed.callMicros(),
                rank == 0 ? statistics(statistics) : EpochStatistics.none(), null, null);
    }

    private static EpochStatistics statistics(StepStatistics watched) {
        return new EpochStatistics(watched.gradientNormMean(), watched.gradientNormMax(), watched.layerNames(),
                watched.updateRatioMean(), watched.probeIterations(), watched.probeLoss(),
                watched.probeLearningRate());
    }

    /** Measures the time spent inside the all-reduce, in all and call by call. */
    private static final class TimedCollective implements Collective {
        private final Collective inner;
        private long nanos;
        private float[] micros;
        private int calls;

        TimedCollective(Collective inner, int expectedCalls) {
            this.inner = inner;
            this.micros = new float[Math.max(1, expectedCalls)];
        }

        long nanos() {
            return nanos;
        }

        float[] callMicros() {
            return Arrays.copyOf(micros, calls);
        }

        @Override
        public int rank() {
            return inner.rank();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public void allReduceSum(float[] buffer) {
            long begin = System.nanoTime();
            inner.allReduceSum(buffer);
            long elapsed = System.nanoTime() - begin;
            nanos += elapsed;
            if (calls == micros.length) {
                micros = Arrays.copyOf(micros, 2 * calls);
            }
            micros[calls++] = elapsed / 1e3f;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
