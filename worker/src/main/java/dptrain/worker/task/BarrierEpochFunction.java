package dptrain.worker.task;

import dptrain.worker.collective.Collective;
import dptrain.worker.collective.CollectiveSettings;
import dptrain.worker.collective.DriverRendezvous;
import dptrain.worker.collective.GroupFormation;
import dptrain.worker.collective.Rendezvous;
import dptrain.worker.collective.RingCollective;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.device.CpuThreads;
import dptrain.worker.device.DeviceBinding;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.collection.Iterator$;
import scala.runtime.AbstractFunction1;

/**
 * The body of an epoch's barrier task: partition {@code r} is rank {@code r}'s shard. The ranks
 * exchange addresses at the driver's {@code RendezvousServer} (or, when the plan names none,
 * through {@code BarrierTaskContext.allGather}); {@link GroupFormation} then builds the
 * authenticated ring bound to this executor's own address (or, when every rank is a thread of
 * this JVM, the in-memory group), and the epoch runs on it. A Scala function because
 * {@code RDDBarrier} has no Java wrapper.
 */
public final class BarrierEpochFunction extends AbstractFunction1<Iterator<ShardBlock>, Iterator<EpochReport>>
        implements Serializable {

    private static final Logger LOG = LoggerFactory.getLogger(BarrierEpochFunction.class);

    private final Broadcast<EpochPlan> plan;

    public BarrierEpochFunction(Broadcast<EpochPlan> plan) {
        this.plan = plan;
    }

    @Override
    public Iterator<EpochReport> apply(Iterator<ShardBlock> blocks) {
        BarrierTaskContext context = BarrierTaskContext.get();
        DeviceBinding.bindForTask(context);
        CpuThreads.useForTask(context.cpus());
        EpochPlan epoch = plan.value();
        int rank = context.partitionId();
        if (!blocks.hasNext()) {
            throw new IllegalStateException("rank " + rank + " has no shard block");
        }
        ShardBlock block = blocks.next();
        if (blocks.hasNext()) {
            throw new IllegalStateException("rank " + rank + " has more than one shard block");
        }
        byte[] key = CollectiveKey.forThisProcess(epoch.secret());
        InetAddress address = executorAddress();
        Duration timeout = Duration.ofSeconds(epoch.timeoutSeconds());
        String stageTag = epoch.sessionTag() + "/stage-" + context.stageId() + "." + context.stageAttemptNumber();
        boolean encrypted = epoch.encrypted();
        CollectiveSettings settings = new CollectiveSettings(key, stageTag, address, timeout).withEncryption(encrypted);
        // the driver's rendezvous knows the epoch attempt, not the stage it became
        Rendezvous rendezvous = epoch.rendezvous() == null ? context::allGather
                : new DriverRendezvous(epoch.rendezvous(), new CollectiveSettings(key, epoch.sessionTag(), address,
                        timeout).withEncryption(encrypted), rank, epoch.workers(), context::isInterrupted);
        EpochReport report;
        long begin = System.nanoTime();
        try (Collective collective = GroupFormation.form(rank, epoch.workers(), rendezvous, settings,
                GroupFormation.SameJvm.IN_MEMORY)) {
            // One line per task and epoch attempt: in an executor's log it says which rank of which attempt
            // ran there, the first thing to look for when an epoch had to be relaunched.
            LOG.info("rank {} of {} joined the {} of {} on executor {} in {} ms", rank, epoch.workers(),
                    collective instanceof RingCollective ring ? (ring.encrypted() ? "encrypted ring" : "ring")
                            : collective.size() > 1 ? "in-memory group" : "group",
                    epoch.sessionTag(), SparkEnv.get().executorId(), (System.nanoTime() - begin) / 1_000_000);
            report = EpochRunner.run(epoch, rank, block, collective);
        }
        // where the rank ran, so that the driver can name a rank that is persistently slower
        return Iterator$.MODULE$.single(report.ranOn(SparkEnv.get().executorId(),
                SparkEnv.get().blockManager().blockManagerId().host()));
    }

    /** The address Spark itself uses for this executor; never the wildcard address. */
    private static InetAddress executorAddress() {
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve this executor's host " + host, e);
        }
    }
}
