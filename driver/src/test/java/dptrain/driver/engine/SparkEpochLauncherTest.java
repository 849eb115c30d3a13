package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.driver.BadInputException;
import dptrain.driver.SparkTestSession;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.task.EpochPlan;
import dptrain.worker.task.EpochReport;
import dptrain.worker.testing.TinyNetworks;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

/** An epoch as a real barrier stage on local Spark, the ranks meeting at the driver or through the barrier. */
class SparkEpochLauncherTest {

    private static final String CONFIGURATION = TinyNetworks.classifier(new Adam(0.01), 0.0, 5);

    private static SparkEpochLauncher launcher(String rendezvous) {
        return launcher(rendezvous, false);
    }

    private static SparkEpochLauncher launcher(String rendezvous, boolean encrypted) {
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JavaRDD<ShardBlock> shards = spark.parallelize(List.of(TinyNetworks.block(40, 1), TinyNetworks.block(37, 2)), 2);
        EpochPlan template = new EpochPlan(CONFIGURATION, null, 9, 16, new long[] {40, 37}, TinyNetworks.CLASSES,
                new byte[32], "launcher-test", 30, StepSettings.DEFAULT, encrypted, null);
        SparkConf conf = spark.getConf();
        if (rendezvous != null) {
            conf.set(SparkEpochLauncher.RENDEZVOUS_CONF, rendezvous);
        }
        return new SparkEpochLauncher(spark, shards, template, 1, conf);
    }

    @Test
    void ranksMeetingAtTheDriverTrainExactlyAsRanksMeetingThroughTheBarrier() {
        NetworkState start = NetworkState.initial(CONFIGURATION);
        List<EpochReport> atDriver = launcher(null).run(start, 1, 1.0);
        List<EpochReport> throughBarrier = launcher("barrier").run(start, 1, 1.0);
        assertEquals(2, atDriver.size());
        assertEquals(atDriver.get(0).paramsFingerprint(), atDriver.get(1).paramsFingerprint());
        assertArrayEquals(throughBarrier.get(0).end().params(), atDriver.get(0).end().params());
        assertEquals(throughBarrier.get(0).lossSum(), atDriver.get(0).lossSum());
        assertEquals(5, atDriver.get(0).iterations()); // ceil(77 / 16): the epoch ran
    }

    @Test
    void anEncryptedRendezvousTrainsExactlyAsAPlainOne() {
        // local mode: the ranks share a JVM, so only the driver's rendezvous carries sealed frames
        NetworkState start = NetworkState.initial(CONFIGURATION);
        List<EpochReport> encrypted = launcher(null, true).run(start, 1, 1.0);
        List<EpochReport> plain = launcher(null, false).run(start, 1, 1.0);
        assertArrayEquals(plain.get(0).end().params(), encrypted.get(0).end().params());
        assertEquals(plain.get(0).lossSum(), encrypted.get(0).lossSum());
        assertEquals(5, encrypted.get(0).iterations());
    }

    @Test
    void anUnknownRendezvousIsOneLine() {
        BadInputException e = assertThrows(BadInputException.class, () -> launcher("ring"));
        assertEquals("spark.dptrain.rendezvous: unknown value 'ring'; use driver (the default) or barrier",
                e.getMessage());
    }
}
