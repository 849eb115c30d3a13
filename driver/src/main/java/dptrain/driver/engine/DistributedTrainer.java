package dptrain.driver.engine;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.eval.PartitionEvaluation;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.CollectiveKey;
import dptrain.worker.task.EpochPlan;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The one engine behind every front end: the {@code train} command, the Spark ML estimators and the
 * dl4j-spark TrainingMaster each translate their input into a {@link TrainingRequest} and call
 * {@link #fit}, so all three train the same way (schedules, clipping, parameter averaging, early
 * stopping, divergence handling, relaunches). {@code fit} assembles the engine once: a fresh
 * collective secret for the run, the epoch plan, one Spark barrier stage per epoch
 * ({@link SparkEpochLauncher}), distributed validation and the epoch loop ({@link Trainer}); what a
 * front end writes or keeps (metrics, checkpoints, summary, model export, report) are its listeners.
 */
public final class DistributedTrainer {

    private DistributedTrainer() {
    }

    /**
     * Trains as {@code request} says; then tells its listeners the result
     * ({@link TrainingListener#onResult}) and returns it.
     */
    public static TrainingResult fit(TrainingRequest request) {
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(request.shards().context());
        long[] shardRows = request.shardRows() != null ? request.shardRows()
                : BarrierStages.shardRows(spark, request.shards(), request.workers());
        EpochPlan template = new EpochPlan(request.configurationJson(), null, request.seed(), request.batchSize(),
                shardRows, request.classes(), newSecret(), request.name() + "-" + UUID.randomUUID(),
                request.collectiveTimeoutSeconds(), request.step(),
                CollectiveKey.encryption(request.encryption(), spark.getConf()), null);
        // before any listener writes: a bad rendezvous setting is bad input
        EpochLauncher launcher = new SparkEpochLauncher(spark, request.shards(), template, request.epochs());
        EpochRecord record = new EpochRecord();
        List<TrainingListener> listeners = new ArrayList<>(request.listeners());
        listeners.add(record);
        Trainer trainer = new Trainer(launcher, validation(spark, request), request.learningRate(),
                request.epochRetries(), request.divergence(), listeners);
        NetworkState last = trainer.train(request.start(), request.learningRateScale(), request.epochs());
        TrainingResult result = new TrainingResult(request.configurationJson(), request.seed(), request.start(), last,
                request.result().apply(last), record.losses.stream().mapToDouble(Double::doubleValue).toArray(),
                record.last);
        request.listeners().forEach(listener -> listener.onResult(result));
        return result;
    }

    /** 32 random bytes per run: the all-reduce key (or the nonce it is derived from). */
    private static byte[] newSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    private static Evaluator validation(JavaSparkContext spark, TrainingRequest request) {
        if (request.validation() == null) {
            EvaluationTotals none = EvaluationTotals.empty(
                    PartitionEvaluation.confusionClasses(request.classes(), request.binary()));
            return state -> none;
        }
        return SparkEvaluator.validation(spark, request.validation(), request.configurationJson(), request.classes(),
                request.binary(), request.epochs());
    }

    /** Keeps each epoch's mean training loss and the last epoch's event for the result. */
    private static final class EpochRecord implements TrainingListener {
        private final List<Double> losses = new ArrayList<>();
        private EpochEnd last;

        @Override
        public void onEpochEnd(EpochEnd event) {
            losses.add(event.trainLoss());
            last = event;
        }
    }
}
