package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.SpecLoader;
import dptrain.driver.job.TrainJob;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strongest proof that the front ends run one engine: on the same rows in the same order, with
 * the same network, optimizer, batch, workers and seed, the estimator ends with exactly the
 * parameters of {@code dptrain train}'s {@code model.zip}, also with clipping and parameter
 * averaging (the dl4j-spark TrainingMaster drop-in: {@code dl4j.SameTrainerDropInTest}, left out of
 * the Spark 4 build with its package).
 */
class SameTrainerTest {

    @TempDir
    Path dir;

    @Test
    void estimatorEndsWithExactlyTheParametersOfTheTrainCommand() throws Exception {
        Path output = dir.resolve("job");
        String yaml = """
                data: {format: csv, train: %s, label: species, validation_fraction: 0}
                model:
                  layers:
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training: {workers: 2, batch_size: 16, epochs: 3, seed: 5, optimizer: {type: adam, learning_rate: 0.02}}
                output: {dir: %s}
                """.formatted(MlFixtures.irisCsv(), output);
        long iterations = TrainJob.run(SparkTestSession.get(), SpecLoader.parse(yaml, "iris.yaml", List.of()))
                .get("iterations").asLong();
        MultiLayerNetwork job = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false);

        // The job numbers class names in sorted order; so does StringIndexer with alphabetAsc.
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("species").setOutputCol("label").setStringOrderType("alphabetAsc"),
                new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features"),
                new NeuralNetClassifier().setHiddenLayers(8).setActivation("tanh").setOptimizer("adam")
                        .setLearningRate(0.02).setBatchSize(16).setEpochs(3).setWorkers(2).setSeed(5)})
                .fit(MlFixtures.iris());
        NeuralNetClassificationModel model = (NeuralNetClassificationModel) fitted.stages()[2];

        float[] expected = job.params().toFloatVector();
        assertEquals(8 * 4 + 8 + 3 * 8 + 3, expected.length);
        assertArrayEquals(expected, model.network().state().params());
        assertEquals(iterations, model.network().state().iteration());
    }

    /**
     * Gradient clipping and parameter averaging through the estimator's params end where the job
     * spec's do (the TrainingMaster's builder settings: {@code dl4j.SameTrainerDropInTest}).
     */
    @Test
    void estimatorWithClippingAndParameterAveragingEndsWithTheParametersOfTheTrainCommand() throws Exception {
        Path output = dir.resolve("job");
        long iterations = TrainJob.run(SparkTestSession.get(),
                SpecLoader.parse(MlFixtures.clippedParameterAveragingJob(output), "iris.yaml", List.of()))
                .get("iterations").asLong();
        float[] expected = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false)
                .params().toFloatVector();

        Dataset<Row> rows = MlFixtures.indexedIris();
        NeuralNetClassificationModel estimated = new NeuralNetClassifier().setHiddenLayers(8).setActivation("tanh")
                .setOptimizer("adam").setLearningRate(0.02).setBatchSize(16).setEpochs(3).setWorkers(2).setSeed(5)
                .setClipNorm(0.05).setAveraging("parameters").setAveragingFrequency(3).fit(rows);
        assertArrayEquals(expected, estimated.network().state().params());
        assertEquals(iterations, estimated.network().state().iteration());
        // plain averaging of the gradients ends elsewhere: the settings reached the workers
        float[] gradients = new NeuralNetClassifier().setHiddenLayers(8).setActivation("tanh").setOptimizer("adam")
                .setLearningRate(0.02).setBatchSize(16).setEpochs(3).setWorkers(2).setSeed(5).fit(rows)
                .network().state().params();
        assertFalse(Arrays.equals(expected, gradients));
    }
}
