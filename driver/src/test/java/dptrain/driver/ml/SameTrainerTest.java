package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.SpecLoader;
import dptrain.driver.dl4j.AllReduceTrainingMaster;
import dptrain.driver.job.TrainJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The strongest proof that the front ends run one engine: on the same rows in the same order, with
 * the same network, optimizer, batch, workers and seed, the estimator (and, with clipping and
 * parameter averaging, the dl4j-spark TrainingMaster drop-in too) ends with exactly the parameters
 * of {@code dptrain train}'s {@code model.zip}.
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
     * Gradient clipping and parameter averaging through all three front ends: a job spec, the
     * estimator's params and the TrainingMaster's builder settings. The TrainingMaster gets the same
     * rows as DataSets in the same order (one-hot labels, partitioned otherwise) and the same network
     * configuration; one sharding rule gives every rank the same rows in every front end.
     */
    @Test
    void estimatorAndTrainingMasterWithClippingAndParameterAveragingEndWithTheParametersOfTheTrainCommand()
            throws Exception {
        Path output = dir.resolve("job");
        String yaml = """
                data: {format: csv, train: %s, label: species, validation_fraction: 0}
                model:
                  layers:
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 16
                  epochs: 3
                  seed: 5
                  averaging: parameters
                  averaging_frequency: 3
                  optimizer: {type: adam, learning_rate: 0.02, clip_norm: 0.05}
                output: {dir: %s}
                """.formatted(MlFixtures.irisCsv(), output);
        long iterations = TrainJob.run(SparkTestSession.get(), SpecLoader.parse(yaml, "iris.yaml", List.of()))
                .get("iterations").asLong();
        float[] expected = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false)
                .params().toFloatVector();

        Dataset<Row> iris = MlFixtures.iris();
        Dataset<Row> rows = new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features")
                .transform(new StringIndexer().setInputCol("species").setOutputCol("label")
                        .setStringOrderType("alphabetAsc").fit(iris).transform(iris));
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

        JavaSparkContext spark = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        AllReduceTrainingMaster master = new AllReduceTrainingMaster.Builder(2).globalBatchSize(16).rngSeed(5)
                .parameterAveraging(3).clipNorm(0.05).build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark,
                MultiLayerConfiguration.fromJson(estimated.network().configurationJson()), master);
        JavaRDD<DataSet> dataSets = spark.parallelize(dataSets(MlFixtures.vectors(rows, "features"),
                MlFixtures.doubles(rows, "label"), 4, 3, 7), 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            sparkNet.fit(dataSets);
        }
        master.deleteTempFiles(spark);
        assertArrayEquals(expected, sparkNet.getNetwork().params().toFloatVector());
        assertEquals(iterations, sparkNet.getNetwork().getIterationCount());
    }

    /** Rows in order as DataSets of {@code size} rows (the last one shorter), labels one-hot. */
    private static List<DataSet> dataSets(double[] features, double[] labels, int width, int classes, int size) {
        List<DataSet> dataSets = new ArrayList<>();
        for (int from = 0; from < labels.length; from += size) {
            int rows = Math.min(size, labels.length - from);
            float[][] x = new float[rows][width];
            float[][] y = new float[rows][classes];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    x[r][c] = (float) features[(from + r) * width + c];
                }
                y[r][(int) labels[from + r]] = 1f;
            }
            dataSets.add(new DataSet(Nd4j.create(x), Nd4j.create(y)));
        }
        return dataSets;
    }
}
