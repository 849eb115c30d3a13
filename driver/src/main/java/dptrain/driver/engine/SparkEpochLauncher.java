package dptrain.driver.engine;

import dptrain.driver.BadInputException;
import dptrain.driver.network.LearningRateScale;
import dptrain.worker.collective.CollectiveSettings;
import dptrain.worker.collective.RendezvousServer;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.BarrierEpochFunction;
import dptrain.worker.task.CollectiveKey;
import dptrain.worker.task.EpochPlan;
import dptrain.worker.task.EpochReport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * One epoch = one Spark barrier stage over the cached shards: all {@code workers} tasks start
 * together (or not at all), exchange their ring addresses at a {@link RendezvousServer} the
 * driver runs for the epoch attempt and then talk peer to peer; the driver only broadcasts the
 * epoch-start state and collects the reports. With {@value #RENDEZVOUS_CONF}{@code =barrier} the
 * tasks exchange addresses through {@code BarrierTaskContext.allGather} instead, which needs no
 * connection from executors to the driver beyond Spark's own but costs every epoch at least a
 * second (Spark 3.5 polls that reply in one-second sleeps).
 */
public final class SparkEpochLauncher implements EpochLauncher {

    /** Spark setting: where an epoch's ranks meet, {@code driver} (the default) or {@code barrier}. */
    public static final String RENDEZVOUS_CONF = "spark.dptrain.rendezvous";

    private static final Logger LOG = LoggerFactory.getLogger(SparkEpochLauncher.class);
    private static final ClassTag<EpochReport> REPORT = ClassTag$.MODULE$.apply(EpochReport.class);

    private final JavaSparkContext spark;
    private final JavaRDD<ShardBlock> shards;
    private final EpochPlan template;
    private final int epochs;
    /** The driver address the rendezvous listens on and the host it publishes; null for barrier. */
    private final InetAddress rendezvousBind;
    private final String rendezvousHost;

    /**
     * @param template the plan without a start state; its session tag is the job id
     */
    public SparkEpochLauncher(JavaSparkContext spark, JavaRDD<ShardBlock> shards, EpochPlan template, int epochs) {
        this(spark, shards, template, epochs, spark.getConf());
    }

    /** With {@code conf} in place of the context's own (tests). */
    SparkEpochLauncher(JavaSparkContext spark, JavaRDD<ShardBlock> shards, EpochPlan template, int epochs,
            SparkConf conf) {
        this.spark = spark;
        this.shards = shards;
        this.template = template;
        this.epochs = epochs;
        String mode = conf.get(RENDEZVOUS_CONF, "driver").trim();
        if (mode.equals("barrier")) {
            this.rendezvousBind = null;
            this.rendezvousHost = null;
        } else if (mode.equals("driver")) {
            // SparkContext always sets spark.driver.host: the address executors reach the driver at
            this.rendezvousHost = conf.get("spark.driver.host");
            String bind = conf.get("spark.driver.bindAddress", rendezvousHost);
            try {
                this.rendezvousBind = InetAddress.getByName(bind);
            } catch (UnknownHostException e) {
                throw new BadInputException("spark.driver.bindAddress: cannot resolve " + bind, e);
            }
        } else {
            throw new BadInputException(RENDEZVOUS_CONF + ": unknown value '" + mode + "'; use driver (the default)"
                    + " or barrier");
        }
    }

    @Override
    public List<EpochReport> run(NetworkState start, int attempt, double learningRateScale) {
        int epoch = start.epoch() + 1;
        String configuration = LearningRateScale.apply(template.configurationJson(), learningRateScale);
        EpochPlan plan = template.forEpoch(configuration, start,
                template.sessionTag() + "/epoch-" + epoch + "/attempt-" + attempt);
        RendezvousServer rendezvous = rendezvousFor(plan);
        try {
            return launch(rendezvous == null ? plan : plan.withRendezvous(rendezvous.address()), epoch, attempt);
        } finally {
            if (rendezvous != null) {
                rendezvous.close();
                if (rendezvous.rejectedConnections() > 0) {
                    LOG.warn("the rendezvous of {} closed {} connections that sent no authentic request",
                            plan.sessionTag(), rendezvous.rejectedConnections());
                }
            }
        }
    }

    /** The epoch attempt's rendezvous, or null when its ranks meet through the barrier context (or one needs none). */
    private RendezvousServer rendezvousFor(EpochPlan plan) {
        if (rendezvousBind == null || plan.workers() == 1) {
            return null;
        }
        CollectiveSettings settings = new CollectiveSettings(CollectiveKey.forThisProcess(plan.secret()),
                plan.sessionTag(), rendezvousBind, Duration.ofSeconds(plan.timeoutSeconds()))
                .withEncryption(plan.encrypted());
        return RendezvousServer.start(settings, plan.workers(), rendezvousHost);
    }

    private List<EpochReport> launch(EpochPlan plan, int epoch, int attempt) {
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
