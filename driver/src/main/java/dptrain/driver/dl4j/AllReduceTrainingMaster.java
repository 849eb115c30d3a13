package dptrain.driver.dl4j;

import dptrain.driver.config.SpecDefaults;
import dptrain.driver.engine.BarrierStages;
import dptrain.driver.engine.DistributedTrainer;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.TrainingRequest;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.NetworkState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.TrainingResult;
import org.deeplearning4j.spark.api.TrainingWorker;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dl4j-spark's {@link TrainingMaster} backed by dptrain's engine: existing DL4J Spark code changes
 * one line, {@code new SparkDl4jMultiLayer(sc, conf, new AllReduceTrainingMaster.Builder(2)
 * .batchSizePerWorker(32).build())}, and trains with synchronous ring all-reduce of the exact
 * global-batch gradient (or, with {@link Builder#parameterAveraging}, of the parameters).
 *
 * <p>What {@code sparkNet.fit(rdd)} does with it: one epoch (dl4j-spark's meaning of
 * {@code fit(rdd)}) over the RDD's examples, starting from the network's own configuration,
 * parameters, updater state and iteration count, as one Spark barrier stage of {@code workers}
 * tasks; the resulting parameters, updater state and iteration count are written back into
 * {@code sparkNet.getNetwork()} (the same object), so {@code fit} called N times is N epochs and
 * evaluation, {@code getNetwork()} and {@code ModelSerializer} see the trained network.
 *
 * <p>Mini-batches: the DataSet objects are only containers. Their examples, numbered in RDD
 * order, are dealt to {@code workers} shards by the sharding rule of every front end (example p to
 * worker p mod workers; cached, and reused while the same RDD is fitted again;
 * {@link #deleteTempFiles} releases them). Each iteration trains on one global
 * mini-batch of {@code globalBatchSize} examples (the last one of an epoch may be shorter), made of
 * a near-equal part of every shard, each shard visited in an order shuffled per (seed, epoch,
 * rank). The workers' gradient sums are all-reduced, so every iteration equals DL4J's own
 * {@code fit} on that global batch: the same update as one process, not an average of local
 * models. The same DL4J updater step (Adam, L2, schedules...) then runs on every rank. The epoch
 * runs on dptrain's one engine ({@link DistributedTrainer}), so the builder's gradient clipping and
 * parameter averaging train exactly as the same settings of {@code dptrain train}.
 *
 * <p>Supported: {@link SparkDl4jMultiLayer} and {@link SparkComputationGraph} (one input, one
 * output) with {@code fit(JavaRDD<DataSet>)}, {@code fitPaths} and {@code fitMultiDataSet}
 * (MultiDataSets with one features and one labels array), features and labels of one row per
 * example, no masks; data the network cannot take (shapes, masks, feature or label widths) fails
 * on the driver in one line before anything trains. DL4J listeners set with {@code setListeners}
 * run on the driver once per {@code fit}: {@code onEpochStart}, then {@code iterationDone} with the
 * epoch's mean training loss as the model's score, then {@code onEpochEnd}. Not supported, with an
 * {@link UnsupportedOperationException} saying what to use instead: training hooks, training
 * statistics, a {@link StatsStorageRouter}, {@link #getWorkerInstance} (dl4j-spark's per-minibatch
 * worker, which this engine has no use for).
 */
public final class AllReduceTrainingMaster implements TrainingMaster<TrainingResult, TrainingWorker<TrainingResult>> {

    private static final Logger LOG = LoggerFactory.getLogger(AllReduceTrainingMaster.class);

    private final AllReduceSettings settings;
    private final List<org.deeplearning4j.optimize.api.TrainingListener> listeners = new ArrayList<>();
    /** The shards of the RDD fitted last, what its count found, and its id: a second fit of it skips both. */
    private DataSetShards.Shards cached;
    private DataSetShards.Census cachedCensus;
    private int cachedRddId = -1;

    private AllReduceTrainingMaster(AllReduceSettings settings) {
        this.settings = settings;
    }

    /** In the style of dl4j-spark's {@code ParameterAveragingTrainingMaster.Builder}. */
    public static final class Builder {
        private final int workers;
        private Integer batchSizePerWorker;
        private Integer globalBatchSize;
        private Long seed;
        private int collectiveTimeoutSeconds = SpecDefaults.COLLECTIVE_TIMEOUT_SECONDS;
        private int epochRetries = SpecDefaults.EPOCH_RETRIES;
        private Integer averagingFrequency;
        private Boolean averageUpdaterState;
        private GradientClipping clipping = GradientClipping.NONE;

        /**
         * @param workers barrier tasks per epoch; Spark must be able to run them all at once (task
         *                slots), which {@code fit} checks before anything else
         */
        public Builder(int workers) {
            AllReduceSettings.positive("workers", workers);
            this.workers = workers;
        }

        /** Examples per worker per iteration: the global batch is {@code workers * batchSizePerWorker}. */
        public Builder batchSizePerWorker(int batchSizePerWorker) {
            AllReduceSettings.positive("batchSizePerWorker", batchSizePerWorker);
            if (globalBatchSize != null) {
                throw new IllegalStateException("batchSizePerWorker: globalBatchSize was already set to "
                        + globalBatchSize + "; set one of the two");
            }
            this.batchSizePerWorker = batchSizePerWorker;
            return this;
        }

        /** Examples per iteration over all workers together (split near-equally among them). */
        public Builder globalBatchSize(int globalBatchSize) {
            AllReduceSettings.positive("globalBatchSize", globalBatchSize);
            if (batchSizePerWorker != null) {
                throw new IllegalStateException("globalBatchSize: batchSizePerWorker was already set to "
                        + batchSizePerWorker + "; set one of the two");
            }
            this.globalBatchSize = globalBatchSize;
            return this;
        }

        /** Seed of the per-epoch shuffling and of dropout masks; default: the network configuration's seed. */
        public Builder rngSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The longest any all-reduce wait may take before the epoch fails (default {@value SpecDefaults#COLLECTIVE_TIMEOUT_SECONDS}). */
        public Builder collectiveTimeoutSeconds(int seconds) {
            AllReduceSettings.positive("collectiveTimeoutSeconds", seconds);
            this.collectiveTimeoutSeconds = seconds;
            return this;
        }

        /** Relaunches of a failed epoch from its start state (default {@value SpecDefaults#EPOCH_RETRIES}). */
        public Builder epochRetries(int retries) {
            this.epochRetries = AllReduceSettings.retries(retries);
            return this;
        }

        /**
         * Local updater steps on each worker's part of every global batch, the parameters averaged
         * (weighted by rows) every {@code frequency} steps and at each epoch's end: a job spec's
         * {@code training.averaging: parameters}, dl4j-spark's {@code averagingFrequency}.
         */
        public Builder parameterAveraging(int frequency) {
            AllReduceSettings.positive("parameterAveraging", frequency);
            this.averagingFrequency = frequency;
            return this;
        }

        /** With {@link #parameterAveraging}: average the updater state too (default {@code true}). */
        public Builder averageUpdaterState(boolean average) {
            this.averageUpdaterState = average;
            return this;
        }

        /** Rescale the averaged gradient to a global L2 norm of at most {@code maxNorm}; {@code clip_norm}. */
        public Builder clipNorm(double maxNorm) {
            this.clipping = AllReduceSettings.clipping("clipNorm", GradientClipping.Kind.NORM, maxNorm, clipping);
            return this;
        }

        /** Clamp every element of the averaged gradient to {@code [-maxValue, maxValue]}; {@code clip_value}. */
        public Builder clipValue(double maxValue) {
            this.clipping = AllReduceSettings.clipping("clipValue", GradientClipping.Kind.VALUE, maxValue,
                    clipping);
            return this;
        }

        public AllReduceTrainingMaster build() {
            if (batchSizePerWorker == null && globalBatchSize == null) {
                throw new IllegalStateException("set batchSizePerWorker or globalBatchSize");
            }
            if (averageUpdaterState != null && averagingFrequency == null) {
                throw new IllegalStateException("averageUpdaterState: only used with parameterAveraging(frequency)");
            }
            int global = globalBatchSize != null ? globalBatchSize : Math.multiplyExact(workers, batchSizePerWorker);
            Averaging averaging = averagingFrequency == null ? Averaging.GRADIENTS
                    : Averaging.parameters(averagingFrequency, averageUpdaterState == null || averageUpdaterState);
            return new AllReduceTrainingMaster(new AllReduceSettings(workers, global, seed, collectiveTimeoutSeconds,
                    epochRetries, averaging, clipping));
        }
    }

    public AllReduceSettings settings() {
        return settings;
    }

    @Override
    public void executeTraining(SparkDl4jMultiLayer network, JavaRDD<DataSet> trainingData) {
        network.setScore(train(network.getNetwork(), trainingData, trainingData.id()));
    }

    @Override
    public void executeTraining(SparkComputationGraph graph, JavaRDD<DataSet> trainingData) {
        graph.setScore(train(graph.getNetwork(), trainingData, trainingData.id()));
    }

    @Override
    public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> trainingData) {
        graph.setScore(train(graph.getNetwork(), DataSetInputs.ofMultiDataSets(trainingData), trainingData.id()));
    }

    @Override
    public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
                                     DataSetLoader dataSetLoader, MultiDataSetLoader multiDataSetLoader) {
        JavaRDD<DataSet> data = DataSetInputs.ofPaths(paths, dataSetLoader, multiDataSetLoader);
        if (network != null) {
            network.setScore(train(network.getNetwork(), data, paths.id()));
        } else {
            graph.setScore(train(graph.getNetwork(), data, paths.id()));
        }
    }

    /**
     * One epoch of {@code model} over {@code data} with the engine; the result is written into
     * {@code model}. Returns the epoch's mean training loss.
     */
    private double train(Model model, JavaRDD<DataSet> data, int rddId) {
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(data.context());
        int workers = settings.workers();
        BarrierStages.slotShortage(spark, workers).ifPresent(shortage -> {
            throw new IllegalArgumentException("workers: " + shortage);
        });
        CallersNetwork net = new CallersNetwork(model); // refuses a graph with several inputs or outputs
        DataSetShards.Shards shards = shards(spark, data, rddId, net);
        NetworkState start = net.state();
        int epoch = start.epoch() + 1;
        listeners.forEach(listener -> listener.onEpochStart(model));
        // dl4j-spark's own TrainingResult is the type parameter of this class
        dptrain.driver.engine.TrainingResult result = DistributedTrainer.fit(new TrainingRequest.Builder(
                "dptrain-dl4j-spark", net.configurationJson(), shards.blocks(), workers)
                .shardRows(shards.rows())
                .seed(settings.seed() != null ? settings.seed() : net.configuredSeed())
                .batchSize(settings.globalBatchSize())
                .epochs(epoch)
                .step(settings.step())
                .epochRetries(settings.epochRetries())
                .collectiveTimeoutSeconds(settings.collectiveTimeoutSeconds())
                .start(start, 1.0)
                .learningRate(net::learningRate)
                .build());
        EpochEnd last = result.lastEpoch();
        double loss = last.trainLoss();
        net.writeBack(result.state(), loss);
        LOG.info(String.format(Locale.ROOT, "fit: epoch %d, %d examples on %d workers, global batch"
                        + " %d, %d iterations, train_loss=%.4f epoch_seconds=%.1f allreduce_share=%.3f"
                        + " allreduce_wait_share=%.3f", epoch, LongStream.of(shards.rows()).sum(), workers,
                settings.globalBatchSize(), result.state().iteration() - start.iteration(), loss,
                last.epochSeconds(), last.allReduce().total(), last.allReduce().waiting()));
        for (org.deeplearning4j.optimize.api.TrainingListener listener : listeners) {
            listener.iterationDone(model, result.state().iteration() - 1, start.epoch());
            listener.onEpochEnd(model);
        }
        return loss;
    }

    /**
     * The RDD's shards: counted and checked against the network first (one small job), so data the
     * network cannot take fails on the driver in one line before the conversion and the epoch's
     * barrier stage (where DL4J would fail on every rank, and again on every retry).
     */
    private DataSetShards.Shards shards(JavaSparkContext spark, JavaRDD<DataSet> data, int rddId,
                                        CallersNetwork net) {
        if (cached != null && cachedRddId == rddId) {
            net.checkTakes(cachedCensus);
            return cached;
        }
        release();
        DataSetShards.Census census = DataSetShards.count(spark, data, settings.workers());
        net.checkTakes(census);
        cached = DataSetShards.cut(spark, data, census);
        cachedCensus = census;
        cachedRddId = rddId;
        return cached;
    }

    private boolean release() {
        if (cached == null) {
            return false;
        }
        cached.blocks().unpersist(false);
        cached = null;
        cachedCensus = null;
        cachedRddId = -1;
        return true;
    }

    /**
     * Releases the cached shards of the RDD fitted last (the only thing this master keeps between
     * calls; it writes no files). Returns whether there were any.
     */
    @Override
    public boolean deleteTempFiles(JavaSparkContext spark) {
        return release();
    }

    @Override
    public boolean deleteTempFiles(SparkContext spark) {
        return release();
    }

    @Override
    public void setListeners(Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners) {
        this.listeners.clear();
        if (listeners != null) {
            this.listeners.addAll(listeners);
        }
    }

    @Override
    public void setListeners(StatsStorageRouter router,
                             Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners) {
        if (router != null) {
            throw new UnsupportedOperationException("AllReduceTrainingMaster has no StatsStorageRouter support (the"
                    + " DL4J UI's per-iteration worker statistics); use setListeners(listeners), which run on the"
                    + " driver once per epoch");
        }
        setListeners(listeners);
    }

    @Override
    public void addHook(TrainingHook hook) {
        throw new UnsupportedOperationException("AllReduceTrainingMaster does not run TrainingHooks (its workers"
                + " train whole epochs without dl4j-spark's per-minibatch worker); use a DL4J listener with"
                + " setListeners, called once per epoch on the driver");
    }

    @Override
    public void removeHook(TrainingHook hook) {
        // no hook can have been added
    }

    @Override
    public TrainingWorker<TrainingResult> getWorkerInstance(SparkDl4jMultiLayer network) {
        throw noWorker();
    }

    @Override
    public TrainingWorker<TrainingResult> getWorkerInstance(SparkComputationGraph graph) {
        throw noWorker();
    }

    private static UnsupportedOperationException noWorker() {
        return new UnsupportedOperationException("AllReduceTrainingMaster has no dl4j-spark TrainingWorker: its"
                + " epochs run as Spark barrier stages of its own; train with SparkDl4jMultiLayer.fit or"
                + " SparkComputationGraph.fit");
    }

    @Override
    public void setCollectTrainingStats(boolean collect) {
        if (collect) {
            throw new UnsupportedOperationException("AllReduceTrainingMaster collects no SparkTrainingStats; each"
                    + " fit logs one line with its loss, time and all-reduce share, and getScore() gives the loss");
        }
    }

    @Override
    public boolean getIsCollectTrainingStats() {
        return false;
    }

    /** Always {@code null}, as dl4j-spark's masters return when statistics are not collected. */
    @Override
    public SparkTrainingStats getTrainingStats() {
        return null;
    }

    @Override
    public String toJson() {
        return settings.toJson();
    }

    @Override
    public String toYaml() {
        return settings.toYaml();
    }

    /** The master {@link #toJson} describes. */
    public static AllReduceTrainingMaster fromJson(String json) {
        return new AllReduceTrainingMaster(AllReduceSettings.fromJson(json));
    }

    /** The master {@link #toYaml} describes. */
    public static AllReduceTrainingMaster fromYaml(String yaml) {
        return new AllReduceTrainingMaster(AllReduceSettings.fromYaml(yaml));
    }
}
