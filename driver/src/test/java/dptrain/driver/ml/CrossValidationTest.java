package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Spark's tuning works with the estimator: grid values reach {@code fit} through {@code copy}. */
class CrossValidationTest {

    @Test
    void crossValidatorPicksTheLearningRateThatLearns() {
        Dataset<Row> labelled = new StringIndexer().setInputCol("species").setOutputCol("label")
                .fit(MlFixtures.iris()).transform(MlFixtures.iris());
        Dataset<Row> iris = new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features")
                .transform(labelled).cache();
        NeuralNetClassifier classifier = new NeuralNetClassifier().setHiddenLayers(8).setActivation("tanh")
                .setEpochs(3).setBatchSize(16).setWorkers(2).setSeed(6);
        ParamMap[] grid = new ParamGridBuilder()
                .addGrid(classifier.learningRate(), new double[] {1e-5, 0.05})
                .build();

        CrossValidatorModel tuned = new CrossValidator().setEstimator(classifier).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2)
                .setSeed(1).fit(iris);

        double[] accuracy = tuned.avgMetrics();
        assertTrue(accuracy[1] > accuracy[0] + 0.2, "learning rate 0.05 should beat 1e-5: "
                + java.util.Arrays.toString(accuracy));
        NeuralNetClassificationModel best = (NeuralNetClassificationModel) tuned.bestModel();
        assertEquals(0.05, best.getLearningRate());
        assertEquals(3, best.getEpochs());
    }
}
