package dptrain.worker.eval;

import dptrain.worker.data.ShardBlock;
import dptrain.worker.device.DeviceBinding;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * The Spark task of a distributed evaluation: rebuilds the network once per partition from the
 * broadcast state and returns the partition's {@link EvaluationTotals}.
 */
public final class PartitionEvaluation implements FlatMapFunction<Iterator<ShardBlock>, EvaluationTotals> {

    private final String configurationJson;
    private final Broadcast<NetworkState> state;
    private final int classes;
    private final boolean binary;

    public PartitionEvaluation(String configurationJson, Broadcast<NetworkState> state, int classes, boolean binary) {
        this.configurationJson = configurationJson;
        this.state = state;
        this.classes = classes;
        this.binary = binary;
    }

    /** Width of the confusion matrix the totals carry. */
    public static int confusionClasses(int classes, boolean binary) {
        return binary ? 2 : classes;
    }

    @Override
    public Iterator<EvaluationTotals> call(Iterator<ShardBlock> blocks) {
        EvaluationTotals totals = EvaluationTotals.empty(confusionClasses(classes, binary));
        if (blocks.hasNext()) {
            DeviceBinding.bindForTask(TaskContext.get());
            Network net = state.value().restore(configurationJson);
            BlockEvaluator evaluator = new BlockEvaluator(net, classes, binary);
            while (blocks.hasNext()) {
                totals = totals.plus(evaluator.evaluate(blocks.next()));
            }
        }
        return List.of(totals).iterator();
    }
}
