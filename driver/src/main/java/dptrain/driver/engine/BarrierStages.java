package dptrain.driver.engine;

import dptrain.worker.data.ShardBlock;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceProfile;

/**
 * What an epoch's barrier stage needs before training starts: enough task slots for all workers
 * at once (every front end checks it first, before it reads any data), and each rank's shard size.
 */
public final class BarrierStages {

    private static final String REGISTRATION_WAIT = "spark.scheduler.maxRegisteredResourcesWaitingTime";

    private BarrierStages() {
    }

    /**
     * Why {@code workers} barrier tasks cannot all run at once on this Spark master (the caller
     * puts its own key in front), or empty when they can. Spark would fail such a stage only after
     * training began, with a message about barrier scheduling; this says it up front.
     */
    public static Optional<String> slotShortage(JavaSparkContext context, int workers) {
        String master = context.master();
        int slots;
        if (master.equals("local")) {
            slots = 1;
        } else if (master.matches("local\\[\\d+]")) {
            slots = Integer.parseInt(master.substring(6, master.length() - 1));
        } else if (master.equals("local[*]")) {
            slots = Runtime.getRuntime().availableProcessors();
        } else if (master.startsWith("local")) {
            return Optional.empty(); // local[N,F] and local-cluster[...]: Spark's own check applies
        } else {
            long waitMillis = context.getConf().getTimeAsMs(REGISTRATION_WAIT, "30s");
            slots = clusterSlots(context.sc(), workers, waitMillis);
            return workers <= slots ? Optional.empty() : Optional.of(workers + " workers need " + workers
                    + " task slots at once, but the executors of Spark master " + master + " have " + slots
                    + " (waited " + Math.round(waitMillis / 1000.0) + " s for more to register, "
                    + REGISTRATION_WAIT + ")");
        }
        return workers <= slots ? Optional.empty() : Optional.of(workers + " workers need " + workers
                + " task slots at once, but Spark master " + master + " has " + slots);
    }

    /**
     * The task slots of a cluster's executors, counted the way Spark's own barrier check counts
     * them ({@code SparkContext.maxNumConcurrentTasks}: each executor's cores over
     * {@code spark.task.cpus}, other task resources included). Executors register after the
     * context starts, so this waits up to {@code waitMillis} for {@code workers} slots to appear.
     * Both calls are Spark-internal ({@code private[spark]} in Scala, public to Java); no public API
     * tells a driver its executors' cores, and counting differently from Spark would let a barrier
     * stage through that Spark then refuses.
     */
    private static int clusterSlots(SparkContext spark, int workers, long waitMillis) {
        ResourceProfile profile = spark.resourceProfileManager().defaultResourceProfile();
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        int slots = spark.maxNumConcurrentTasks(profile);
        while (slots < workers && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slots = spark.maxNumConcurrentTasks(profile);
        }
        return slots;
    }

    /** Row counts of the shards, indexed by rank (partition r holds rank r's block). */
    static long[] shardRows(JavaSparkContext context, JavaRDD<ShardBlock> shards, int workers) {
        List<Integer> rows = JobDescription.during(context, "shard sizes",
                () -> shards.map(block -> block.rows()).collect());
        if (rows.size() != workers) {
            throw new IllegalStateException("expected " + workers + " shards, got " + rows.size());
        }
        return rows.stream().mapToLong(Integer::longValue).toArray();
    }
}
