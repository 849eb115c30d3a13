package dptrain.driver.ml;

import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.SpecDefaults;
import dptrain.driver.config.Task;
import dptrain.driver.data.PreparedData;
import dptrain.driver.loop.EpochEnd;
import dptrain.driver.loop.JobDescription;
import dptrain.driver.loop.SparkEpochLauncher;
import dptrain.driver.loop.SparkEvaluator;
import dptrain.driver.loop.Trainer;
import dptrain.driver.loop.TrainingListener;
import dptrain.driver.model.NetworkFactory;
import dptrain.driver.report.ProgressLog;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochPlan;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The epochs of one {@code fit}: the same engine as a spec-driven job (one barrier stage per epoch,
 * exact gradient all-reduce, relaunch of a failed epoch from its start state, distributed
 * validation), without the files a job writes: no checkpoints, no metrics file. The Estimator owns
 * the data and the result.
 */
final class DistributedTraining {

    private DistributedTraining() {
    }

    /**
     * @param labelNames class names for classification (their count is the output width), empty for
     *                   regression
     */
    static TrainedNetwork run(JavaSparkContext context, PreparedData data, ModelSpec model, OptimizerSpec optimizer,
                              int epochs, int batchSize, int workers, long seed, List<String> labelNames) {
        LayerSpec output = model.outputLayer();
        Task task = output.loss().task();
        int classes = output.loss() == Loss.MCXENT ? output.units() : 0;
        boolean binary = output.loss() == Loss.BCE;
        String configuration = NetworkFactory.configuration(model, optimizer, data.featureCount(), seed).toJson();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        EpochPlan template = new EpochPlan(configuration, null, seed, batchSize, shardRows(data, workers, context),
                classes, secret, "dptrain-ml-" + UUID.randomUUID(), SpecDefaults.COLLECTIVE_TIMEOUT_SECONDS);
        IUpdater updater = NetworkFactory.updater(optimizer);
        LossHistory history = new LossHistory();
        Trainer trainer = new Trainer(
                new SparkEpochLauncher(context, data.train(), template, epochs),
                SparkEvaluator.validation(context, data.validation(), configuration, classes, binary, epochs),
                (iteration, epoch) -> updater.getLearningRate(iteration, epoch),
                SpecDefaults.EPOCH_RETRIES,
                List.of(history, new ProgressLog(task)));
        NetworkState end = trainer.train(NetworkState.initial(configuration), epochs);
        return new TrainedNetwork(configuration, end, task, data.featureCount(), labelNames,
                history.losses.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A barrier stage needs all its tasks at once; say so before training rather than in Spark's words. */
    static void checkSlots(JavaSparkContext context, int workers) {
        String master = context.master();
        int slots;
        if (master.equals("local")) {
            slots = 1;
        } else if (master.matches("local\\[\\d+]")) {
            slots = Integer.parseInt(master.substring(6, master.length() - 1));
        } else if (master.equals("local[*]")) {
            slots = Runtime.getRuntime().availableProcessors();
        } else {
            return;
        }
        if (workers > slots) {
            throw new IllegalArgumentException("workers: " + workers + " workers need " + workers
                    + " task slots at once, but Spark master " + master + " has " + slots);
        }
    }

    private static long[] shardRows(PreparedData data, int workers, JavaSparkContext context) {
        // scoped, so a notebook's own job description comes back afterwards
        List<Integer> rows = JobDescription.during(context, "shard sizes", () -> data.train()
                .map(block -> block.rows()).collect());
        if (rows.size() != workers) {
            throw new IllegalStateException("expected " + workers + " shards, got " + rows.size());
        }
        return rows.stream().mapToLong(Integer::longValue).toArray();
    }

    /** Keeps each epoch's mean training loss for the model's summary. */
    private static final class LossHistory implements TrainingListener {
        private final List<Double> losses = new ArrayList<>();

        @Override
        public void onEpochEnd(EpochEnd event) {
            losses.add(event.trainLoss());
        }
    }
}
