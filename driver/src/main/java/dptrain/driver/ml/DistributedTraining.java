package dptrain.driver.ml;

import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.SpecDefaults;
import dptrain.driver.config.Task;
import dptrain.driver.data.PreparedData;
import dptrain.driver.loop.BarrierStages;
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
        EpochPlan template = new EpochPlan(configuration, null, seed, batchSize, BarrierStages.shardRows(context, data, workers),
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

    /** Keeps each epoch's mean training loss for the model's summary. */
    private static final class LossHistory implements TrainingListener {
        private final List<Double> losses = new ArrayList<>();

        @Override
        public void onEpochEnd(EpochEnd event) {
            losses.add(event.trainLoss());
        }
    }
}
