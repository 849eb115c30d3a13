package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.config.SpecLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real data with the shipped specs: conf/fashion-mnist-mlp.yaml (Fashion-MNIST from Debian's
 * dataset-fashion-mnist, 784-256-128-10, Adam, batch 64) with 2 workers for 3 epochs, and the
 * regression example conf/iris-petal-width.yaml as shipped.
 */
class FashionMnistTest {

    @TempDir
    Path output;

    @Test
    void shippedMlpReachesAtLeast85PercentTestAccuracyIn3EpochsWith2Workers() throws Exception {
        TrainJob.run(SparkTestSession.get(), SpecLoader.load(Path.of("../conf/fashion-mnist-mlp.yaml"),
                List.of("training.epochs=3", "training.workers=2", "output.dir=" + output)));

        JsonNode summary = JobFixtures.summary(output);
        assertEquals(10000, summary.get("test_rows").asInt());
        assertEquals(3, summary.get("epochs_run").asInt());
        double accuracy = summary.get("test_accuracy").asDouble();
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
    }

    /** README states test r2 0.932 for this config; the paths in it are relative to the repository root. */
    @Test
    void shippedIrisRegressionReachesTestR2AboveNinety() throws Exception {
        TrainJob.run(SparkTestSession.get(), SpecLoader.load(Path.of("../conf/iris-petal-width.yaml"),
                List.of("data.train=../conf/data/iris-train.csv", "data.test=../conf/data/iris-test.csv",
                        "output.dir=" + output)));

        JsonNode summary = JobFixtures.summary(output);
        assertEquals(30, summary.get("test_rows").asInt());
        double r2 = summary.get("test_r2").asDouble();
        assertTrue(r2 >= 0.9, "test r2 " + r2);
    }
}
