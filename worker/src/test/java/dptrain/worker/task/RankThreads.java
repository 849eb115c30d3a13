package dptrain.worker.task;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs epochs with one thread per rank over a shared-memory collective, as the executors would. */
final class RankThreads {

    private RankThreads() {
    }

    /** The reports of every epoch, rank-ordered; fails if the ranks' parameters differ after any epoch. */
    static List<List<EpochReport>> train(String json, NetworkState start, long seed, int batch, ShardBlock[] blocks,
                                         int epochs, StepSettings settings) throws Exception {
        int ranks = blocks.length;
        long[] shardRows = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            shardRows[r] = blocks[r].rows();
        }
        List<List<EpochReport>> all = new ArrayList<>();
        NetworkState state = start;
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                EpochPlan plan = new EpochPlan(json, state, seed, batch, shardRows, TinyNetworks.CLASSES,
                        new byte[32], "test/epoch" + epoch, 30, settings, false, null);
                Collective[] group = SharedMemoryCollective.group(ranks);
                List<Future<EpochReport>> futures = new ArrayList<>();
                for (int r = 0; r < ranks; r++) {
                    int rank = r;
                    futures.add(pool.submit(() -> EpochRunner.run(plan, rank, blocks[rank], group[rank])));
                }
                List<EpochReport> reports = new ArrayList<>();
                for (Future<EpochReport> future : futures) {
                    try {
                        reports.add(future.get(120, TimeUnit.SECONDS));
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException runtime) {
                            throw runtime;
                        }
                        throw e;
                    }
                }
                for (EpochReport report : reports) {
                    if (report.paramsFingerprint() != reports.get(0).paramsFingerprint()) {
                        throw new AssertionError("rank " + report.rank() + " differs from rank 0 after epoch " + epoch);
                    }
                }
                all.add(reports);
                state = reports.get(0).end();
            }
        } finally {
            pool.shutdownNow();
        }
        return all;
    }

    static NetworkState last(List<List<EpochReport>> epochs) {
        return epochs.get(epochs.size() - 1).get(0).end();
    }
}
