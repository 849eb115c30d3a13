package dptrain.driver.loop;

import dptrain.worker.data.ShardBlock;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.eval.PartitionEvaluation;
import dptrain.worker.step.NetworkState;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/** Distributed evaluation: one ordinary Spark job over cached blocks, reduced on the driver. */
public final class SparkEvaluator implements Evaluator {

    private final JavaSparkContext spark;
    private final JavaRDD<ShardBlock> blocks;
    private final String configurationJson;
    private final int classes;
    private final boolean binary;
    private final String description;

    public SparkEvaluator(JavaSparkContext spark, JavaRDD<ShardBlock> blocks, String configurationJson, int classes,
                          boolean binary, String description) {
        this.spark = spark;
        this.blocks = blocks;
        this.configurationJson = configurationJson;
        this.classes = classes;
        this.binary = binary;
        this.description = description;
    }

    @Override
    public EvaluationTotals evaluate(NetworkState state) {
        Broadcast<NetworkState> broadcast = spark.broadcast(state);
        try {
            spark.setJobDescription(description + " after epoch " + state.epoch());
            return blocks.mapPartitions(new PartitionEvaluation(configurationJson, broadcast, classes, binary))
                    .fold(EvaluationTotals.empty(PartitionEvaluation.confusionClasses(classes, binary)),
                            EvaluationTotals::plus);
        } finally {
            broadcast.destroy(false);
        }
    }
}
