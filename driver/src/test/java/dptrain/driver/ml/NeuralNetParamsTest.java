package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.driver.data.DataException;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** Params are checked when set, the data at {@code fit}: one IllegalArgumentException line naming the param. */
class NeuralNetParamsTest {

    @Test
    void settersRefuseInvalidValuesNamingParamValueAndWhatIsAllowed() {
        NeuralNetClassifier classifier = new NeuralNetClassifier();

        assertEquals("epochs: invalid value 0; passes over the training rows (>= 1)",
                assertThrows(IllegalArgumentException.class, () -> classifier.setEpochs(0)).getMessage());
        assertEquals("workers: invalid value 0; data-parallel workers: tasks of one Spark barrier stage, all"
                        + " running at once (>= 1)",
                assertThrows(IllegalArgumentException.class, () -> classifier.setWorkers(0)).getMessage());
        assertEquals("hiddenLayers: invalid value [8, 0]; units of each hidden layer, input to output (the input"
                        + " width follows from the features, the output layer from the task); may be empty",
                assertThrows(IllegalArgumentException.class, () -> classifier.setHiddenLayers(8, 0)).getMessage());
        assertEquals("activation: invalid value softmax; activation of the hidden layers; one of relu, leakyrelu,"
                        + " elu, sigmoid, tanh, identity",
                assertThrows(IllegalArgumentException.class, () -> classifier.setActivation("Softmax")).getMessage());
        assertEquals("optimizer: invalid value lamb; the updater; one of sgd, momentum, nesterov, rmsprop, adam, adamw,"
                        + " adagrad",
                assertThrows(IllegalArgumentException.class, () -> classifier.setOptimizer("lamb")).getMessage());
        assertEquals("validationFraction: invalid value 1.0; fraction of the rows held out by a seeded split and"
                        + " evaluated after every epoch (logged), in [0, 1)",
                assertThrows(IllegalArgumentException.class, () -> classifier.setValidationFraction(1.0))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLearningRate(0));

        // Nothing invalid was stored.
        assertEquals(10, classifier.getEpochs());
        assertEquals("relu", classifier.getActivation());
        assertEquals(0.001, classifier.getLearningRate(), "adam's default");
    }

    @Test
    void fitRefusesUnusableColumnsAndSettingsBeforeTraining() {
        Dataset<Row> iris = new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features")
                .transform(MlFixtures.iris());

        assertEquals("featuresCol: column 'features' has type string; expected a Spark ML vector (e.g. from"
                        + " VectorAssembler)",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier().setLabelCol("id")
                        .fit(iris.withColumn("features", functions.col("species")))).getMessage());
        assertEquals("labelCol: column 'species' has type string; expected a numeric column (e.g. from"
                        + " StringIndexer)",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier().setLabelCol("species")
                        .fit(iris)).getMessage());
        assertEquals("labelCol: column 'label' not found; columns: sepal_length, sepal_width, petal_length,"
                        + " petal_width, species, id, features",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier().fit(iris))
                        .getMessage());
        assertEquals("labelCol: column 'sepal_length' has the label 7.9; classification labels are class indices"
                        + " 0..K-1 (e.g. from StringIndexer)",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier()
                        .setLabelCol("sepal_length").fit(iris)).getMessage());
        assertEquals("batchSize: 1 is less than workers (2); every worker needs at least one row of each global"
                        + " batch",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLabelCol("id")
                        .setBatchSize(1).setWorkers(2).fit(iris)).getMessage());
        assertEquals("workers: 9 workers need 9 task slots at once, but Spark master local[4] has 4",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLabelCol("id")
                        .setWorkers(9).fit(iris)).getMessage());
        Dataset<Row> withNaN = iris.withColumn("target",
                functions.when(functions.col("id").equalTo(4), Double.NaN).otherwise(1.0));
        assertEquals("the DataFrame row 5, column 'target': NaN/Infinity not allowed: NaN",
                assertThrows(DataException.class, () -> new NeuralNetRegressor().setLabelCol("target").setEpochs(1)
                        .fit(withNaN)).getMessage());
    }

    /** Clipping and averaging: each value checked when set, combinations at {@code fit} before the data is read. */
    @Test
    void clippingAndAveragingParamsAreCheckedWhenSetAndTogetherAtFit() {
        NeuralNetClassifier classifier = new NeuralNetClassifier();
        assertEquals("clipNorm: invalid value -1.0; rescale the averaged gradient (after the all-reduce, before the"
                        + " updater) so its global L2 norm over all layers is at most this; 0: off (>= 0)",
                assertThrows(IllegalArgumentException.class, () -> classifier.setClipNorm(-1)).getMessage());
        assertEquals("averaging: invalid value local; what the workers average: gradients (every iteration, the"
                        + " exact global-batch step) or parameters (after averagingFrequency local steps and at the"
                        + " end of each epoch); one of gradients, parameters",
                assertThrows(IllegalArgumentException.class, () -> classifier.setAveraging("local")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> classifier.setAveragingFrequency(0));
        assertEquals(0.0, classifier.getClipNorm());
        assertEquals("gradients", classifier.setAveraging("Parameters").setAveraging("GRADIENTS").getAveraging());
        assertEquals(1, classifier.getAveragingFrequency());
        assertEquals(true, classifier.getAverageUpdaterState());

        Dataset<Row> iris = new VectorAssembler().setInputCols(MlFixtures.MEASUREMENTS).setOutputCol("features")
                .transform(MlFixtures.iris());
        assertEquals("clipValue: 0.1 cannot be combined with clipNorm (1.0); set one of the two",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLabelCol("id")
                        .setClipNorm(1).setClipValue(0.1).fit(iris)).getMessage());
        assertEquals("averagingFrequency: 4 needs averaging=parameters (gradients are averaged every iteration)",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLabelCol("id")
                        .setAveragingFrequency(4).fit(iris)).getMessage());
        assertEquals("averageUpdaterState: only used with averaging=parameters",
                assertThrows(IllegalArgumentException.class, () -> new NeuralNetRegressor().setLabelCol("id")
                        .setAverageUpdaterState(false).fit(iris)).getMessage());
    }
}
