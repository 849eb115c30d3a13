package dptrain.driver.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.driver.SparkTestSession;
import dptrain.driver.config.SpecLoader;
import dptrain.driver.job.TrainJob;
import dptrain.driver.ml.MlFixtures;
import dptrain.driver.ml.NeuralNetClassificationModel;
import dptrain.driver.ml.NeuralNetClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The third front end on the one engine: with gradient clipping and parameter averaging set
 * through its builder, the dl4j-spark TrainingMaster drop-in ends with exactly the parameters of
 * {@code dptrain train}'s {@code model.zip} for the same job spec (and so of the estimator,
 * {@code ml.SameTrainerTest}). It gets the same rows as DataSets in the same order (one-hot labels,
 * partitioned otherwise) and the network configuration the estimator built; one sharding rule gives
 * every rank the same rows in every front end.
 */
class SameTrainerDropInTest {

    @TempDir
    Path dir;

    @Test
    void trainingMasterWithClippingAndParameterAveragingEndsWithTheParametersOfTheTrainCommand() throws Exception {
        Path output = dir.resolve("job");
        long iterations = TrainJob.run(SparkTestSession.get(),
                SpecLoader.parse(MlFixtures.clippedParameterAveragingJob(output), "iris.yaml", List.of()))
                .get("iterations").asLong();
        float[] expected = ModelSerializer.restoreMultiLayerNetwork(output.resolve("model.zip").toFile(), false)
                .params().toFloatVector();
        Dataset<Row> rows = MlFixtures.indexedIris();
        // the network configuration of the same settings, as the estimator builds it
        NeuralNetClassificationModel estimated = new NeuralNetClassifier().setHiddenLayers(8).setActivation("tanh")
                .setOptimizer("adam").setLearningRate(0.02).setBatchSize(16).setEpochs(3).setWorkers(2).setSeed(5)
                .setClipNorm(0.05).setAveraging("parameters").setAveragingFrequency(3).fit(rows);

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
