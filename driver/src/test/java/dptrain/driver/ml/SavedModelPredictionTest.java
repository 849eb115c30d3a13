package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.driver.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved Spark ML model's {@code model.zip} is self-contained: batch prediction with it alone
 * gives exactly the model's own transform, with the StringIndexer's class names as labels.
 */
class SavedModelPredictionTest {

    @TempDir
    Path dir;

    @Test
    void batchPredictionWithASavedModelZipEqualsTheModelsTransform() throws Exception {
        Dataset<Row> labelled = new StringIndexer().setInputCol("species").setOutputCol("label")
                .fit(MlFixtures.iris()).transform(MlFixtures.iris());
        Dataset<Row> iris = new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features")
                .transform(labelled).cache();
        NeuralNetClassificationModel model = new NeuralNetClassifier().setHiddenLayers(6).setEpochs(2)
                .setBatchSize(16).setWorkers(2).setSeed(1).setLearningRate(0.05).fit(iris);
        String saved = dir.resolve("model").toString();
        model.save(saved);
        String input = dir.resolve("features.parquet").toString();
        iris.select("id", "features").write().parquet(input);
        String output = dir.resolve("predictions").toString();

        long rows = BatchPrediction.run(SparkTestSession.get(), saved + "/model.zip", input, output, "id", false);

        assertEquals(150, rows);
        Dataset<Row> expected = new IndexToString().setInputCol("prediction").setOutputCol("predictedSpecies")
                .transform(model.transform(iris)).orderBy("id");
        Dataset<Row> actual = SparkTestSession.get().read().parquet(output).orderBy("id");
        assertEquals(List.of("id", "prediction", "probability"), List.of(actual.columns()));
        assertEquals(expected.select("predictedSpecies").collectAsList(), actual.select("prediction").collectAsList());
        double[] probabilities = actual.select("probability").collectAsList().stream()
                .flatMap(row -> row.<Double>getList(0).stream()).mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(MlFixtures.vectors(expected, "probability"), probabilities);
    }
}
