package dptrain.driver.engine;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleBiFunction;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaRDD;

/**
 * Everything {@link DistributedTrainer#fit} needs, in one value: what each front end (the
 * {@code train} command, the Spark ML estimators, the dl4j-spark TrainingMaster) translates its own
 * input into. Nothing here has a silent default that changes the training: the step settings
 * (averaging, clipping, probes), seed, batch, epochs, retries and timeout are required, so two front
 * ends given the same values train the same way. Built with {@link Builder}.
 *
 * @param configurationJson        the DL4J configuration the state runs under
 * @param shards                   the training rows, partition r holding rank r's one block
 * @param workers                  ranks of every epoch's barrier stage (the shards' partition count)
 * @param shardRows                rows of each rank's shard, or {@code null}: counted by one Spark job at
 *                                 {@code fit} ("shard sizes")
 * @param validation               blocks evaluated after every epoch, or {@code null} for none
 * @param classes                  one-hot width of class-index labels, 0 to take the labels as they are
 * @param binary                   whether the output is one sigmoid unit per class (binary cross-entropy)
 * @param seed                     the one seed of the per-epoch, per-rank shuffling
 * @param batchSize                rows per iteration over all ranks together
 * @param epochs                   the epoch the run ends after (a resumed run trains the ones left)
 * @param step                     averaging, gradient clipping and monitoring probes of every rank's step
 * @param epochRetries             relaunches of a failed epoch from its start state
 * @param collectiveTimeoutSeconds the longest any all-reduce wait may take
 * @param divergence               what a diverged epoch leads to
 * @param encryption               whether the all-reduce encrypts: {@code AUTO} follows the Spark application's
 *                                 settings ({@code CollectiveKey.encryption})
 * @param start                    the state the first epoch starts from
 * @param learningRateScale        factor on the configured learning rate to start with (a resumed run's)
 * @param learningRate             the configured learning rate at (iteration, epoch), for the epoch events
 * @param result                   which state the run ends with, given the last epoch's (the last itself,
 *                                 or with early stopping the best epoch's)
 * @param listeners                told about the run, in this order
 * @param name                     the front end, in the all-reduce session tags ("dptrain-ml")
 */
public record TrainingRequest(String configurationJson, JavaRDD<ShardBlock> shards, int workers, long[] shardRows,
                              JavaRDD<ShardBlock> validation, int classes, boolean binary, long seed, int batchSize,
                              int epochs, StepSettings step, int epochRetries, int collectiveTimeoutSeconds,
                              DivergencePolicy divergence, AllReduceEncryption encryption, NetworkState start,
                              double learningRateScale,
                              ToDoubleBiFunction<Integer, Integer> learningRate, UnaryOperator<NetworkState> result,
                              List<TrainingListener> listeners, String name) {

    public TrainingRequest {
        Objects.requireNonNull(configurationJson, "configurationJson");
        Objects.requireNonNull(shards, "shards");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(divergence, "divergence");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(learningRate, "learningRate");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(name, "name");
        positive("workers", workers);
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        positive("collectiveTimeoutSeconds", collectiveTimeoutSeconds);
        if (batchSize < workers) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " is less than workers (" + workers + ")");
        }
        if (epochRetries < 0) {
            throw new IllegalArgumentException("epochRetries: " + epochRetries + " is negative");
        }
        if (shardRows != null && shardRows.length != workers) {
            throw new IllegalArgumentException("shardRows: " + shardRows.length + " shards for " + workers
                    + " workers");
        }
        listeners = List.copyOf(listeners);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " is not positive");
        }
    }

    /**
     * A request from the settings every front end must give and the ones it may leave out: no
     * validation, the network's initial state, scale 1, stop on divergence, the last state as the
     * result, no listeners, rows counted at {@code fit}.
     */
    public static final class Builder {
        private final String configurationJson;
        private final JavaRDD<ShardBlock> shards;
        private final int workers;
        private final String name;
        private long[] shardRows;
        private JavaRDD<ShardBlock> validation;
        private int classes;
        private boolean binary;
        private Long seed;
        private Integer batchSize;
        private Integer epochs;
        private StepSettings step;
        private Integer epochRetries;
        private Integer collectiveTimeoutSeconds;
        private DivergencePolicy divergence = DivergencePolicy.stop();
        private AllReduceEncryption encryption = AllReduceEncryption.AUTO;
        private NetworkState start;
        private double learningRateScale = 1.0;
        private ToDoubleBiFunction<Integer, Integer> learningRate;
        private UnaryOperator<NetworkState> result = UnaryOperator.identity();
        private final List<TrainingListener> listeners = new ArrayList<>();

        /**
         * @param name the front end, in the all-reduce session tags
         */
        public Builder(String name, String configurationJson, JavaRDD<ShardBlock> shards, int workers) {
            this.name = name;
            this.configurationJson = configurationJson;
            this.shards = shards;
            this.workers = workers;
        }

        public Builder shardRows(long[] rows) {
            this.shardRows = rows.clone();
            return this;
        }

        /** Validation after every epoch on {@code blocks}. */
        public Builder validation(JavaRDD<ShardBlock> blocks) {
            this.validation = blocks;
            return this;
        }

        /** The label encoding of the output layer: class indices one-hot to {@code classes}, or as they are (0). */
        public Builder labels(int classes, boolean binary) {
            this.classes = classes;
            this.binary = binary;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder step(StepSettings step) {
            this.step = step;
            return this;
        }

        public Builder epochRetries(int retries) {
            this.epochRetries = retries;
            return this;
        }

        public Builder collectiveTimeoutSeconds(int seconds) {
            this.collectiveTimeoutSeconds = seconds;
            return this;
        }

        public Builder divergence(DivergencePolicy policy) {
            this.divergence = policy;
            return this;
        }

        public Builder encryption(AllReduceEncryption choice) {
            this.encryption = choice;
            return this;
        }

        /** Where training starts (a checkpoint, a warm start, a network's own state) and with which scale. */
        public Builder start(NetworkState state, double learningRateScale) {
            this.start = state;
            this.learningRateScale = learningRateScale;
            return this;
        }

        public Builder learningRate(ToDoubleBiFunction<Integer, Integer> rate) {
            this.learningRate = rate;
            return this;
        }

        public Builder result(UnaryOperator<NetworkState> choice) {
            this.result = choice;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** @throws IllegalStateException when a setting every front end must give is missing */
        public TrainingRequest build() {
            require(seed, "seed");
            require(batchSize, "batchSize");
            require(epochs, "epochs");
            require(step, "step");
            require(epochRetries, "epochRetries");
            require(collectiveTimeoutSeconds, "collectiveTimeoutSeconds");
            require(learningRate, "learningRate");
            return new TrainingRequest(configurationJson, shards, workers, shardRows, validation, classes, binary,
                    seed, batchSize, epochs, step, epochRetries, collectiveTimeoutSeconds, divergence,
                    encryption, start != null ? start : NetworkState.initial(configurationJson), learningRateScale,
                    learningRate, result, listeners, name);
        }

        private static void require(Object value, String setting) {
            if (value == null) {
                throw new IllegalStateException(setting + ": not set; every front end gives it");
            }
        }
    }
}
