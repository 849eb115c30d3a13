package dptrain.driver.dl4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dptrain.driver.config.SpecDefaults;
import dptrain.driver.loop.BarrierStages;
import dptrain.driver.loop.EpochEnd;
import dptrain.driver.loop.SparkEpochLauncher;
import dptrain.driver.loop.Trainer;
import dptrain.driver.loop.TrainingListener;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochPlan;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.TrainingResult;
import org.deeplearning4j.spark.api.TrainingWorker;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.data.loader.RemoteFileSourceFactory;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dl4j-spark's {@link TrainingMaster} backed by dptrain's engine: existing DL4J Spark code changes
 * one line, {@code new SparkDl4jMultiLayer(sc, conf, new AllReduceTrainingMaster.Builder(2)
 * .batchSizePerWorker(32).build())}, and trains with synchronous ring all-reduce instead of
 * parameter averaging.
 *
 * <p>What {@code sparkNet.fit(rdd)} does with it: one epoch (dl4j-spark's meaning of
 * {@code fit(rdd)}) over the RDD's examples, starting from the network's own configuration,
 * parameters, updater state and iteration count, as one Spark barrier stage of {@code workers}
 * tasks; the resulting parameters, updater state and iteration count are written back into
 * {@code sparkNet.getNetwork()} (the same object), so {@code fit} called N times is N epochs and
 * evaluation, {@code getNetwork()} and {@code ModelSerializer} see the trained network.
 *
 * <p>Mini-batches: the DataSet objects are only containers. Their examples, numbered in RDD
 * order, are cut into {@code workers} balanced shards (cached, and reused while the same RDD is
 * fitted again; {@link #deleteTempFiles} releases them). Each iteration trains on one global
 * mini-batch of {@code globalBatchSize} examples (the last one of an epoch may be shorter), made of
 * a near-equal part of every shard, each shard visited in an order shuffled per (seed, epoch,
 * rank). The workers' gradient sums are all-reduced, so every iteration equals DL4J's own
 * {@code fit} on that global batch: the same update as one process, not an average of local
 * models. The same DL4J updater step (Adam, L2, schedules...) then runs on every rank.
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Settings settings;
    private final List<org.deeplearning4j.optimize.api.TrainingListener> listeners = new ArrayList<>();
    /** The shards of the RDD fitted last, what its count found, and its id: a second fit of it skips both. */
    private DataSetShards.Shards cached;
    private DataSetShards.Census cachedCensus;
    private int cachedRddId = -1;

    private AllReduceTrainingMaster(Settings settings) {
        this.settings = settings;
    }

    /**
     * What the master is configured with; also its JSON and YAML form.
     *
     * @param workers                  barrier tasks per epoch, each with one shard
     * @param globalBatchSize          examples per iteration, over all workers together
     * @param seed                     shuffling and dropout seed; {@code null}: the network
     *                                 configuration's own seed
     * @param collectiveTimeoutSeconds the longest any all-reduce wait may take before the epoch fails
     * @param epochRetries             relaunches of a failed epoch from its start state
     */
    public record Settings(int workers, int globalBatchSize, Long seed, int collectiveTimeoutSeconds,
                           int epochRetries) {

        public Settings {
            positive("workers", workers);
            positive("globalBatchSize", globalBatchSize);
            positive("collectiveTimeoutSeconds", collectiveTimeoutSeconds);
            if (epochRetries < 0) {
                throw new IllegalArgumentException("epochRetries: " + epochRetries + " is negative; 0 means no retry");
            }
            if (globalBatchSize < workers) {
                throw new IllegalArgumentException("globalBatchSize: " + globalBatchSize + " is less than workers ("
                        + workers + "); every worker needs at least one example of each global batch");
            }
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " is not positive");
        }
    }

    /** In the style of dl4j-spark's {@code ParameterAveragingTrainingMaster.Builder}. */
    public static final class Builder {
        private final int workers;
        private Integer batchSizePerWorker;
        private Integer globalBatchSize;
        private Long seed;
        private int collectiveTimeoutSeconds = SpecDefaults.COLLECTIVE_TIMEOUT_SECONDS;
        private int epochRetries = SpecDefaults.EPOCH_RETRIES;

        /**
         * @param workers barrier tasks per epoch; Spark must be able to run them all at once (task
         *                slots), which {@code fit} checks before anything else
         */
        public Builder(int workers) {
            positive("workers", workers);
            this.workers = workers;
        }

        /** Examples per worker per iteration: the global batch is {@code workers * batchSizePerWorker}. */
        public Builder batchSizePerWorker(int batchSizePerWorker) {
            positive("batchSizePerWorker", batchSizePerWorker);
            if (globalBatchSize != null) {
                throw new IllegalStateException("batchSizePerWorker: globalBatchSize was already set to "
                        + globalBatchSize + "; set one of the two");
            }
            this.batchSizePerWorker = batchSizePerWorker;
            return this;
        }

        /** Examples per iteration over all workers together (split near-equally among them). */
        public Builder globalBatchSize(int globalBatchSize) {
            positive("globalBatchSize", globalBatchSize);
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
            positive("collectiveTimeoutSeconds", seconds);
            this.collectiveTimeoutSeconds = seconds;
            return this;
        }

        /** Relaunches of a failed epoch from its start state (default {@value SpecDefaults#EPOCH_RETRIES}). */
        public Builder epochRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("epochRetries: " + retries + " is negative; 0 means no retry");
            }
            this.epochRetries = retries;
            return this;
        }

        public AllReduceTrainingMaster build() {
            if (batchSizePerWorker == null && globalBatchSize == null) {
                throw new IllegalStateException("set batchSizePerWorker or globalBatchSize");
            }
            int global = globalBatchSize != null ? globalBatchSize : Math.multiplyExact(workers, batchSizePerWorker);
            return new AllReduceTrainingMaster(new Settings(workers, global, seed, collectiveTimeoutSeconds,
                    epochRetries));
        }
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void executeTraining(SparkDl4jMultiLayer network, JavaRDD<DataSet> trainingData) {
        double loss = train(network.getNetwork(), trainingData, trainingData.id());
        network.setScore(loss);
    }

    @Override
    public void executeTraining(SparkComputationGraph graph, JavaRDD<DataSet> trainingData) {
        double loss = train(graph.getNetwork(), trainingData, trainingData.id());
        graph.setScore(loss);
    }

    @Override
    public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> trainingData) {
        double loss = train(graph.getNetwork(), trainingData.map(AllReduceTrainingMaster::single), trainingData.id());
        graph.setScore(loss);
    }

    @Override
    public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
                                     DataSetLoader dataSetLoader, MultiDataSetLoader multiDataSetLoader) {
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(paths.context());
        Broadcast<SerializableHadoopConfig> hadoop = spark.broadcast(
                new SerializableHadoopConfig(spark.hadoopConfiguration()));
        JavaRDD<DataSet> data = dataSetLoader != null ? load(paths, hadoop, dataSetLoader)
                : load(paths, hadoop, multiDataSetLoader).map(AllReduceTrainingMaster::single);
        if (network != null) {
            network.setScore(train(network.getNetwork(), data, paths.id()));
        } else {
            graph.setScore(train(graph.getNetwork(), data, paths.id()));
        }
    }

    private static <T> JavaRDD<T> load(JavaRDD<String> paths, Broadcast<SerializableHadoopConfig> hadoop,
                                       org.nd4j.common.loader.Loader<T> loader) {
        return paths.map(path -> loader.load(new RemoteFileSourceFactory(hadoop).getSource(path)));
    }

    /** A MultiDataSet of one features and one labels array as a DataSet (masks kept, so they are refused). */
    private static DataSet single(MultiDataSet data) {
        if (data.numFeatureArrays() != 1 || data.numLabelsArrays() != 1) {
            throw new IllegalArgumentException("a MultiDataSet with " + data.numFeatureArrays() + " features and "
                    + data.numLabelsArrays() + " labels arrays; AllReduceTrainingMaster trains graphs with one"
                    + " input and one output");
        }
        return new DataSet(data.getFeatures(0), data.getLabels(0),
                data.getFeaturesMaskArrays() == null ? null : data.getFeaturesMaskArray(0),
                data.getLabelsMaskArrays() == null ? null : data.getLabelsMaskArray(0));
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
        Network net = Network.of(model); // refuses a graph with several inputs or outputs
        String configuration = model instanceof ComputationGraph graph ? graph.getConfiguration().toJson()
                : ((MultiLayerNetwork) model).getLayerWiseConfigurations().toJson();
        DataSetShards.Shards shards = shards(spark, data, rddId, net);
        long seed = settings.seed() != null ? settings.seed() : configuredSeed(model);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        NetworkState start = NetworkState.capture(net);
        int epoch = start.epoch() + 1;
        EpochPlan template = new EpochPlan(configuration, null, seed, settings.globalBatchSize(), shards.rows(), 0,
                secret, "dptrain-dl4j-spark-" + UUID.randomUUID(), settings.collectiveTimeoutSeconds());
        LastEpoch last = new LastEpoch();
        Trainer trainer = new Trainer(new SparkEpochLauncher(spark, shards.blocks(), template, epoch),
                state -> EvaluationTotals.empty(0), net::learningRate, settings.epochRetries(), List.of(last));
        listeners.forEach(listener -> listener.onEpochStart(model));
        NetworkState end = trainer.train(start, epoch);
        writeBack(net, end);
        double loss = last.event.trainLoss();
        LOG.info(String.format(Locale.ROOT, "fit: epoch %d, %d examples on %d workers, global batch"
                        + " %d, %d iterations, train_loss=%.4f epoch_seconds=%.1f allreduce_share=%.3f"
                        + " allreduce_wait_share=%.3f", epoch,
                sum(shards.rows()), workers, settings.globalBatchSize(), end.iteration() - start.iteration(), loss,
                last.event.epochSeconds(), last.event.allReduce().total(), last.event.allReduce().waiting()));
        if (model instanceof MultiLayerNetwork stack) {
            stack.setScore(loss);
        } else {
            ((ComputationGraph) model).setScore(loss);
        }
        for (org.deeplearning4j.optimize.api.TrainingListener listener : listeners) {
            listener.iterationDone(model, end.iteration() - 1, start.epoch());
            listener.onEpochEnd(model);
        }
        return loss;
    }

    /**
     * The trained state, into the caller's network in place: parameters and updater state are
     * assigned into the existing arrays (views of them stay valid), the iteration count is set.
     * The epoch count is left alone: {@code SparkDl4jMultiLayer.fit} increments it after this.
     */
    private static void writeBack(Network net, NetworkState end) {
        net.params().assign(Nd4j.create(end.params(), new long[] {1, end.params().length}, 'c'));
        INDArray updaterState = net.updater().getStateViewArray();
        if (end.updaterState().length > 0) {
            updaterState.assign(Nd4j.create(end.updaterState(), new long[] {1, end.updaterState().length}, 'c'));
        }
        net.setIterationCount(end.iteration());
    }

    /**
     * The RDD's shards: counted and checked against the network first (one small job), so data the
     * network cannot take fails on the driver in one line before the conversion and the epoch's
     * barrier stage (where DL4J would fail on every rank, and again on every retry).
     */
    private DataSetShards.Shards shards(JavaSparkContext spark, JavaRDD<DataSet> data, int rddId, Network net) {
        if (cached != null && cachedRddId == rddId) {
            checkWidths(net, cachedCensus);
            return cached;
        }
        release();
        DataSetShards.Census census = DataSetShards.count(spark, data, settings.workers());
        checkWidths(net, census);
        cached = DataSetShards.cut(spark, data, census);
        cachedCensus = census;
        cachedRddId = rddId;
        return cached;
    }

    /**
     * The network must take the DataSets' feature rows and give one output row their labels fit:
     * one forward pass of a zero example on the driver (any layer's own width check applies), then
     * the output width against the label width (1, the class index, for a sparse loss).
     */
    private static void checkWidths(Network net, DataSetShards.Census census) {
        INDArray output;
        try {
            output = net.output(Nd4j.zeros(net.params().dataType(), 1, census.featureWidth()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the DataSets have " + census.featureWidth() + " feature columns,"
                    + " which the network does not take: " + firstLine(e), e);
        }
        if (output.rank() != 2) {
            throw new IllegalArgumentException("the network's output for one example has shape "
                    + Arrays.toString(output.shape()) + "; AllReduceTrainingMaster trains networks whose"
                    + " output is one row per example");
        }
        long outputs = output.columns();
        if (net.sparseLabels() && census.labelWidth() != 1) {
            throw new IllegalArgumentException("the DataSets have " + census.labelWidth() + " label columns, but"
                    + " the network's sparse loss (LossSparseMCXENT) takes one, the class index");
        }
        if (!net.sparseLabels() && census.labelWidth() != outputs) {
            throw new IllegalArgumentException("the DataSets have " + census.labelWidth() + " label columns, but"
                    + " the network's output layer gives " + outputs);
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
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

    private static long configuredSeed(Model model) {
        if (model instanceof ComputationGraph graph) {
            return graph.getConfiguration().getDefaultConfiguration().getSeed();
        }
        return ((MultiLayerNetwork) model).getLayerWiseConfigurations().getConf(0).getSeed();
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }

    /** Keeps the one epoch's end event. */
    private static final class LastEpoch implements TrainingListener {
        private EpochEnd event;

        @Override
        public void onEpochEnd(EpochEnd event) {
            this.event = event;
        }
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
        try {
            return JSON.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the settings as JSON", e);
        }
    }

    @Override
    public String toYaml() {
        try {
            return YAML.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the settings as YAML", e);
        }
    }

    /** The master {@link #toJson} describes. */
    public static AllReduceTrainingMaster fromJson(String json) {
        return read(JSON, json);
    }

    /** The master {@link #toYaml} describes. */
    public static AllReduceTrainingMaster fromYaml(String yaml) {
        return read(YAML, yaml);
    }

    private static AllReduceTrainingMaster read(ObjectMapper mapper, String text) {
        try {
            return new AllReduceTrainingMaster(mapper.readValue(text, Settings.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an AllReduceTrainingMaster's settings: " + e.getOriginalMessage(), e);
        }
    }
}
