package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.config.JobSpec;
import dptrain.driver.network.NetworkFactory;
import dptrain.driver.report.ProgressLog;
import dptrain.driver.report.ReportHtml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A real 2-rank Spark job in which rank 1 is slowed on purpose: its hidden layer's activation
 * sleeps in every training forward pass of partition 1 (a test class in the imported network's
 * JSON; nothing in the product knows about it). metrics.jsonl carries both ranks' times and where
 * they ran; from the second epoch on, the console and report.html name rank 1.
 */
class SlowRankJobTest {

    /** Per training iteration of rank 1: well above 20% of an epoch's compute, warm-up included. */
    private static final long SLEEP_MILLIS = 50;

    /** tanh, slower on the task of partition 1 (rank 1 of a barrier stage) while training. */
    public static final class TanhSlowOnRankOne extends ActivationTanH {
        @Override
        public INDArray getActivation(INDArray in, boolean training) {
            TaskContext task = TaskContext.get();
            if (training && task != null && task.partitionId() == 1) {
                try {
                    Thread.sleep(SLEEP_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.getActivation(in, training);
        }
    }

    @TempDir
    Path dir;

    @Test
    void theRankSlowedOnPurposeIsNamedWithItsExecutorAndHost() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 300, 31);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 60, 32);
        Path output = dir.resolve("out");
        JobSpec layers = JobFixtures.spec(JobFixtures.classificationSpec(train, test, output));
        MultiLayerConfiguration network = NetworkFactory.configuration(layers.model(), layers.training().optimizer(),
                5, layers.training().seed());
        ((BaseLayer) network.getConf(0).getLayer()).setActivationFn(new TanhSlowOnRankOne());
        Path json = dir.resolve("slowed.json");
        Files.writeString(json, network.toJson());
        JobSpec spec = JobFixtures.spec(JobFixtures.classificationSpec(train, test, output), "training.epochs=3",
                "model.layers=", "model.dl4j_json=" + json);

        // Spark first: a starting SparkContext sets up logging anew, which would drop the appender
        SparkSession session = SparkTestSession.get();
        Configurator.setLevel(ProgressLog.class.getName(), Level.INFO);
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        Logger progress = (Logger) LogManager.getLogger(ProgressLog.class);
        AbstractAppender capture = new AbstractAppender("slow-rank-test", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        progress.addAppender(capture);
        try {
            TrainJob.run(session, spec);
        } finally {
            progress.removeAppender(capture);
            capture.stop();
        }

        // local mode: both ranks are tasks of the driver's executor
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        List<JsonNode> epochs = JobFixtures.metrics(output).stream().filter(line -> !line.has("kind")).toList();
        assertEquals(3, epochs.size());
        List<Double> ratios = new ArrayList<>();
        for (JsonNode epoch : epochs) {
            JsonNode ranks = epoch.get("ranks");
            assertEquals(2, ranks.size(), "ranks of " + epoch);
            for (int rank = 0; rank < 2; rank++) {
                JsonNode entry = ranks.get(rank);
                assertEquals(List.of("rank", "executor", "host", "compute_seconds", "allreduce_seconds",
                        "allreduce_wait_seconds"), fieldNames(entry));
                assertEquals(rank, entry.get("rank").asInt());
                assertEquals("driver", entry.get("executor").asText());
                assertEquals(host, entry.get("host").asText());
                assertTrue(entry.get("allreduce_wait_seconds").asDouble() >= 0, entry.toString());
                assertTrue(entry.get("allreduce_wait_seconds").asDouble() <= entry.get("allreduce_seconds").asDouble(),
                        entry.toString());
            }
            double slowed = ranks.get(1).get("compute_seconds").asDouble();
            double other = ranks.get(0).get("compute_seconds").asDouble();
            int iterations = epoch.get("iteration").asInt() / epoch.get("epoch").asInt();
            assertTrue(slowed >= iterations * SLEEP_MILLIS / 1e3, "rank 1 sleeps in every iteration: " + ranks);
            // rank 0 spends rank 1's extra compute waiting for it in the all-reduce
            assertTrue(ranks.get(0).get("allreduce_wait_seconds").asDouble()
                    > ranks.get(1).get("allreduce_wait_seconds").asDouble(), ranks.toString());
            ratios.add(slowed / other);
        }

        // named from the second epoch on: slow in 2 of the last 2, then 3 of the last 3 epochs
        assertFalse(epochs.get(0).has("slow_rank"), epochs.get(0).toString());
        List<String> expected = new ArrayList<>();
        for (int epoch = 2; epoch <= 3; epoch++) {
            JsonNode slow = epochs.get(epoch - 1).get("slow_rank");
            double ratio = 0;
            for (int i = 0; i < epoch; i++) {
                ratio += ratios.get(i);
            }
            ratio /= epoch;
            assertEquals(List.of("rank", "executor", "host", "compute_ratio", "slow_epochs", "window"),
                    fieldNames(slow));
            assertEquals(1, slow.get("rank").asInt());
            assertEquals("driver", slow.get("executor").asText());
            assertEquals(host, slow.get("host").asText());
            assertEquals(ratio, slow.get("compute_ratio").asDouble(), 1e-12);
            assertEquals(epoch, slow.get("slow_epochs").asInt());
            assertEquals(epoch, slow.get("window").asInt());
            expected.add(String.format(Locale.ROOT, "slow rank: 1 (executor driver on %s) computes %.1fx the others' "
                    + "median in %d of the last %d epochs", host, slow.get("compute_ratio").asDouble(), epoch, epoch));
        }
        assertEquals(expected, warnings);
        String page = Files.readString(output.resolve(ReportHtml.FILE));
        assertTrue(page.contains("<p id=\"slow-rank\" class=\"slow-rank\">" + expected.get(1) + "</p>"),
                "report.html names rank 1");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
