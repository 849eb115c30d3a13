package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estimators inside Spark ML pipelines on the shared local session, with real data (Iris). */
class NeuralNetPipelineTest {

    @TempDir
    Path dir;

    @Test
    void classifierPipelineLearnsIrisAndTransformsTheSameAfterSaveAndLoad() throws Exception {
        Dataset<Row>[] split = MlFixtures.iris().randomSplit(new double[] {0.7, 0.3}, 7);
        Dataset<Row> train = split[0].cache();
        Dataset<Row> test = split[1].orderBy("id").cache();
        NeuralNetClassifier classifier = new NeuralNetClassifier().setHiddenLayers(16).setActivation("tanh")
                .setLearningRate(0.05).setEpochs(20).setBatchSize(16).setWorkers(2).setSeed(3);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("species").setOutputCol("label"),
                new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("measurements"),
                new StandardScaler().setInputCol("measurements").setOutputCol("features").setWithMean(true),
                classifier,
                new IndexToString().setInputCol("prediction").setOutputCol("predictedSpecies")});

        PipelineModel fitted = pipeline.fit(train);
        Dataset<Row> scored = fitted.transform(test).cache();

        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        assertTrue(accuracy >= 0.9, "held-out accuracy on Iris " + accuracy);
        // The prediction column names its classes, so IndexToString gives back the species text.
        assertEquals(Math.round(accuracy * scored.count()), scored.filter("species = predictedSpecies").count());
        NeuralNetClassificationModel model = (NeuralNetClassificationModel) fitted.stages()[3];
        assertEquals(3, model.numClasses());
        assertEquals(20, model.trainingLoss().length);
        assertTrue(model.trainingLoss()[19] < model.trainingLoss()[0] / 2,
                "training loss should fall: " + java.util.Arrays.toString(model.trainingLoss()));
        double[] probabilities = MlFixtures.vectors(scored, "probability");
        for (int row = 0; row < probabilities.length / 3; row++) {
            assertEquals(1.0, probabilities[3 * row] + probabilities[3 * row + 1] + probabilities[3 * row + 2], 1e-6);
        }

        String path = dir.resolve("iris-pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        Dataset<Row> again = loaded.transform(test);

        assertArrayEquals(MlFixtures.doubles(scored, "prediction"), MlFixtures.doubles(again, "prediction"));
        assertArrayEquals(probabilities, MlFixtures.vectors(again, "probability"));
        assertArrayEquals(MlFixtures.vectors(scored, "rawPrediction"), MlFixtures.vectors(again, "rawPrediction"));
        assertEquals(scored.select("predictedSpecies").collectAsList(), again.select("predictedSpecies")
                .collectAsList());
        NeuralNetClassificationModel reloaded = (NeuralNetClassificationModel) loaded.stages()[3];
        assertEquals(model.uid(), reloaded.uid());
        assertEquals(20, reloaded.getEpochs());
        assertArrayEquals(new int[] {16}, reloaded.getHiddenLayers());
        assertEquals(0.05, reloaded.getLearningRate());
        assertEquals(List.of("setosa", "versicolor", "virginica"), reloaded.network().labelNames().stream().sorted()
                .toList());
        assertArrayEquals(model.weights().toArray(), reloaded.weights().toArray());
        assertArrayEquals(model.trainingLoss(), reloaded.trainingLoss());
    }

    @Test
    void unfittedPipelineWithTheEstimatorSavesAndLoadsItsParams() throws Exception {
        SparkTestSession.get();
        String path = dir.resolve("estimator").toString();
        new Pipeline().setStages(new PipelineStage[] {new NeuralNetRegressor().setHiddenLayers(5, 3)
                .setOptimizer("SGD").setEpochs(7).setBatchSize(8).setWorkers(1).setLabelCol("y")}).save(path);

        NeuralNetRegressor loaded = (NeuralNetRegressor) Pipeline.load(path).getStages()[0];

        assertArrayEquals(new int[] {5, 3}, loaded.getHiddenLayers());
        assertEquals("sgd", loaded.getOptimizer());
        assertEquals(0.01, loaded.getLearningRate(), "sgd's default learning rate");
        assertEquals(7, loaded.getEpochs());
        assertEquals(8, loaded.getBatchSize());
        assertEquals(1, loaded.getWorkers());
        assertEquals("y", loaded.getLabelCol());
        assertEquals("features", loaded.getFeaturesCol());
    }

    @Test
    void regressorFitsALinearTargetAndTransformsTheSameAfterLoad() throws Exception {
        // petal width from the other three measurements: a real, nearly linear relation.
        Dataset<Row> iris = MlFixtures.iris().orderBy("id");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new VectorAssembler().setInputCols(new String[] {"sepal_length", "sepal_width", "petal_length"})
                        .setOutputCol("measurements"),
                new StandardScaler().setInputCol("measurements").setOutputCol("features").setWithMean(true),
                new NeuralNetRegressor().setHiddenLayers().setLabelCol("petal_width").setPredictionCol("width")
                        .setLearningRate(0.05).setEpochs(20).setBatchSize(16).setWorkers(2).setSeed(9)});

        PipelineModel fitted = pipeline.fit(iris);
        Dataset<Row> scored = fitted.transform(iris).cache();

        double rmse = new RegressionEvaluator().setLabelCol("petal_width").setPredictionCol("width")
                .setMetricName("rmse").evaluate(scored);
        double spread = iris.agg(functions.stddev_pop("petal_width")).head().getDouble(0);
        assertTrue(rmse < 0.35 * spread, "rmse " + rmse + " vs standard deviation " + spread);

        String path = dir.resolve("regression").toString();
        fitted.save(path);
        Transformer loaded = PipelineModel.load(path);
        assertArrayEquals(MlFixtures.doubles(scored, "width"), MlFixtures.doubles(loaded.transform(iris), "width"));
        assertEquals(4, ((NeuralNetRegressionModel) fitted.stages()[2]).weights().size(), "3 weights and a bias");
    }
}
