package dptrain.driver.loop;

import dptrain.driver.model.LearningRateScale;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.BarrierEpochFunction;
import dptrain.worker.task.EpochPlan;
import dptrain.worker.task.EpochReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * One epoch = one Spark barrier stage over the cached shards: all {@code workers} tasks start
 * together (or not at all), find each other through the barrier context and then talk peer to
 * peer; the driver only broadcasts the epoch-start state and collects the reports.
 */
public final class SparkEpochLauncher implements EpochLauncher {

    private static final ClassTag<EpochReport> REPORT = ClassTag$.MODULE$.apply(EpochReport.class);

    private final JavaSparkContext spark;
    private final JavaRDD<ShardBlock> shards;
    private final EpochPlan template;
    private final int epochs;

    /**
     * @param template the plan without a start state; its session tag is the job id
     */
    public SparkEpochLauncher(JavaSparkContext spark, JavaRDD<ShardBlock> shards, EpochPlan template, int epochs) {
        this.spark = spark;
        this.shards = shards;
        this.template = template;
        this.epochs = epochs;
    }

    @Override
    public List<EpochReport> run(NetworkState start, int attempt, double learningRateScale) {
        int epoch = start.epoch() + 1;
        String configuration = LearningRateScale.apply(template.configurationJson(), learningRateScale);
        EpochPlan plan = template.forEpoch(configuration, start,
                template.sessionTag() + "/epoch-" + epoch + "/attempt-" + attempt);
        Broadcast<EpochPlan> broadcast = spark.broadcast(plan);
        try {
            RDD<EpochReport> reports = shards.rdd().barrier()
                    .mapPartitions(new BarrierEpochFunction(broadcast), false, REPORT);
            List<EpochReport> collected = new ArrayList<>(JobDescription.during(spark,
                    "epoch " + epoch + "/" + epochs + (attempt > 1 ? " (attempt " + attempt + ")" : ""),
                    () -> new JavaRDD<>(reports, REPORT).collect()));
            collected.sort(Comparator.comparingInt(EpochReport::rank));
            return collected;
        } finally {
            broadcast.destroy(false);
        }
    }
}
