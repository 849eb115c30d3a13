package dptrain.driver.engine;

import dptrain.worker.data.ShardBlock;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.eval.PartitionEvaluation;
import dptrain.worker.step.NetworkState;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Distributed evaluation: one ordinary Spark job over cached blocks, reduced on the driver. Its
 * Spark job description (what the Spark UI lists) says which evaluation it is, e.g.
 * "validation after epoch 3/10" or "test evaluation".
 */
public final class SparkEvaluator implements Evaluator {

    private final JavaSparkContext spark;
    private final JavaRDD<ShardBlock> blocks;
    private final String configurationJson;
    private final int classes;
    private final boolean binary;
    private final IntFunction<String> description;

    /** Described as "{@code purpose} after epoch N", N being the evaluated state's epoch. */
    public SparkEvaluator(JavaSparkContext spark, JavaRDD<ShardBlock> blocks, String configurationJson, int classes,
                          boolean binary, String purpose) {
        this(spark, blocks, configurationJson, classes, binary, epoch -> purpose + " after epoch " + epoch);
    }

    private SparkEvaluator(JavaSparkContext spark, JavaRDD<ShardBlock> blocks, String configurationJson,
                           int classes, boolean binary, IntFunction<String> description) {
        this.spark = spark;
        this.blocks = blocks;
        this.configurationJson = configurationJson;
        this.classes = classes;
        this.binary = binary;
        this.description = description;
    }

    /** The validation after every epoch of a run of {@code epochs}: "validation after epoch 3/10". */
    public static SparkEvaluator validation(JavaSparkContext spark, JavaRDD<ShardBlock> blocks,
                                            String configurationJson, int classes, boolean binary, int epochs) {
        return new SparkEvaluator(spark, blocks, configurationJson, classes, binary,
                epoch -> "validation after epoch " + epoch + "/" + epochs);
    }

    /** The final evaluation on the test set: "test evaluation". */
    public static SparkEvaluator test(JavaSparkContext spark, JavaRDD<ShardBlock> blocks, String configurationJson,
                                      int classes, boolean binary) {
        return new SparkEvaluator(spark, blocks, configurationJson, classes, binary, epoch -> "test evaluation");
    }

    @Override
    public EvaluationTotals evaluate(NetworkState state) {
        Broadcast<NetworkState> broadcast = spark.broadcast(state);
        try {
            return JobDescription.during(spark, description.apply(state.epoch()), () -> blocks
                    .mapPartitions(new PartitionEvaluation(configurationJson, broadcast, classes, binary))
                    .fold(EvaluationTotals.empty(PartitionEvaluation.confusionClasses(classes, binary)),
                            EvaluationTotals::plus));
        } finally {
            broadcast.destroy(false);
        }
    }
}
