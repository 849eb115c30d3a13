package dptrain.worker.task;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.BatchAssembler;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.TrainingStep;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one epoch on one rank: every iteration of the {@link BatchPlan}, each a
 * {@link TrainingStep} over this rank's part. Independent of Spark, so tests can run ranks as
 * threads; {@link BarrierEpochFunction} runs it inside a barrier task.
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
        BatchAssembler assembler = new BatchAssembler(block, plan.classes());
        Network net = start.restore(plan.configurationJson());
        TimedCollective timed = new TimedCollective(collective);
        TrainingStep step = new TrainingStep(net, timed);

        int iterations = batches.iterations();
        double lossSum = 0;
        long begin = System.nanoTime();
        long lastProgress = begin;
        int iteration = 0;
        try {
            for (; iteration < iterations; iteration++) {
                int from = batches.partStart(rank, iteration);
                int count = batches.partSize(rank, iteration);
                INDArray features = assembler.features(order, from, count);
                INDArray labels = assembler.labels(order, from, count);
                double loss = step.apply(features, labels, batches.globalBatchSize(iteration),
                        start.iteration() + iteration, start.epoch());
                if (!Double.isFinite(loss)) {
                    throw new DivergenceException(start.epoch() + 1, start.iteration() + iteration, "loss is " + loss);
                }
                lossSum += loss;
                long now = System.nanoTime();
                if (rank == 0 && now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                    lastProgress = now;
                    long done = (long) (iteration + 1) * plan.batchSize();
                    LOG.info("epoch {} iteration {}/{} loss {} {} samples/s", start.epoch() + 1, iteration + 1,
                            iterations, String.format("%.4f", lossSum / Math.max(1, done)),
                            Math.round(done / ((now - begin) / 1e9)));
                }
            }
        } catch (DivergenceException e) {
            throw e; // names epoch and iteration already, and the driver must recognise it
        } catch (RuntimeException e) {
            throw new EpochFailedException(start.epoch(), start.iteration() + iteration, rank, e);
        }
        long total = System.nanoTime() - begin;
        net.setEpochCount(start.epoch() + 1);
        NetworkState end = NetworkState.capture(net);
        return new EpochReport(rank, rank == 0 ? end : null, NetworkState.fingerprint(end.params()), lossSum,
                batches.totalRows(), iterations, total - timed.nanos(), timed.nanos(), EpochStatistics.none());
    }

    /** Measures the time spent inside the all-reduce. */
    private static final class TimedCollective implements Collective {
        private final Collective inner;
        private long nanos;

        TimedCollective(Collective inner) {
            this.inner = inner;
        }

        long nanos() {
            return nanos;
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
            nanos += System.nanoTime() - begin;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
