package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.CheckpointReader;
import dptrain.driver.config.JobSpec;
import dptrain.driver.network.NetworkFactory;
import dptrain.worker.testing.ReferenceTraining;
import dptrain.worker.testing.TinyNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * {@code model.dl4j_json} end to end on Spark: a spec network exported as JSON trains to the very
 * parameters of the spec itself, and a residual computation graph trains, is evaluated and
 * exported with its configuration unchanged; with a sparse loss (class-index labels) it gives the
 * parameters and accuracies of the one-hot loss.
 */
class ImportedNetworkJobTest {

    private static final String[] SMALL = {"training.epochs=2", "training.batch_size=16"};

    @TempDir
    Path dir;

    @Test
    void anExportedSpecNetworkTrainsToTheSpecsOwnParameters() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 203, 9);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 60, 10);
        JobSpec fromLayers = JobFixtures.spec(JobFixtures.classificationSpec(train, test, dir.resolve("layers")), SMALL);
        Path json = dir.resolve("exported.json");
        Files.writeString(json, NetworkFactory.configuration(fromLayers.model(), fromLayers.training().optimizer(), 5,
                fromLayers.training().seed()).toJson());
        JobSpec fromJson = JobFixtures.spec(JobFixtures.classificationSpec(train, test, dir.resolve("json")),
                "training.epochs=2", "training.batch_size=16", "model.layers=", "model.dl4j_json=" + json);

        TrainJob.run(SparkTestSession.get(), fromLayers);
        TrainJob.run(SparkTestSession.get(), fromJson);

        assertArrayEquals(CheckpointReader.latest(dir.resolve("layers/checkpoints")).state().params(),
                CheckpointReader.latest(dir.resolve("json/checkpoints")).state().params());
        assertEquals(JobFixtures.summary(dir.resolve("layers")).get("test_accuracy").asDouble(),
                JobFixtures.summary(dir.resolve("json")).get("test_accuracy").asDouble());
    }

    @Test
    void aResidualGraphTrainsAndItsModelFileHoldsTheSameConfiguration() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 300, 19);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 90, 20);
        Path oneHot = dir.resolve("residual.json");
        Path sparse = dir.resolve("residual-sparse.json");
        String oneHotJson = TinyNetworks.residualGraph(new LossMCXENT(), 5, 3, 3);
        Files.writeString(oneHot, oneHotJson);
        Files.writeString(sparse, TinyNetworks.residualGraph(new LossSparseMCXENT(), 5, 3, 3));

        for (Path network : new Path[] {oneHot, sparse}) {
            String name = network.getFileName().toString().replace(".json", "");
            TrainJob.run(SparkTestSession.get(), JobFixtures.spec(
                    JobFixtures.classificationSpec(train, test, dir.resolve(name)),
                    "training.epochs=4", "training.batch_size=16", "model.layers=", "model.dl4j_json=" + network));
        }

        JsonNode summary = JobFixtures.summary(dir.resolve("residual"));
        assertTrue(summary.get("test_accuracy").asDouble() > 0.6, "test accuracy " + summary.get("test_accuracy"));
        ComputationGraph model = ModelSerializer.restoreComputationGraph(dir.resolve("residual/model.zip").toFile());
        ComputationGraphConfiguration saved = model.getConfiguration().clone();
        saved.setIterationCount(0);
        saved.setEpochCount(0);
        // the input as DL4J holds it once initialised: init fills in each layer's parameter names, and
        // the topological-order cache is there or not depending on the path, so both are left out
        ComputationGraph input = new ComputationGraph(ComputationGraphConfiguration.fromJson(oneHotJson));
        input.init();
        ComputationGraphConfiguration expected = input.getConfiguration().clone();
        for (ComputationGraphConfiguration conf : new ComputationGraphConfiguration[] {expected, saved}) {
            conf.setTopologicalOrder(null);
            conf.setTopologicalOrderStr(null);
        }
        assertEquals(expected.toJson(), saved.toJson());

        JsonNode sparseSummary = JobFixtures.summary(dir.resolve("residual-sparse"));
        ReferenceTraining.assertClose(CheckpointReader.latest(dir.resolve("residual/checkpoints")).state().params(),
                CheckpointReader.latest(dir.resolve("residual-sparse/checkpoints")).state().params(), 1e-6);
        assertEquals(summary.get("test_accuracy").asDouble(), sparseSummary.get("test_accuracy").asDouble());
        assertEquals(summary.get("val_accuracy").asDouble(), sparseSummary.get("val_accuracy").asDouble());
        assertEquals(summary.get("test_loss").asDouble(), sparseSummary.get("test_loss").asDouble(), 1e-5);
    }
}
