package dptrain.driver.ml;

import dptrain.driver.config.OptimizerType;
import dptrain.driver.config.SpecDefaults;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params of every neural-network Estimator and Model, with their getters. Spark finds params
 * through these public accessors; the params themselves (doc, validator, default) are declared in
 * {@link ParamDefinitions}.
 */
public interface NeuralNetParams extends Params {

    /** This stage's params; each stage owns its own instance. */
    ParamDefinitions definitions();

    default Param<String> featuresCol() {
        return definitions().featuresCol;
    }

    default Param<String> labelCol() {
        return definitions().labelCol;
    }

    default Param<String> predictionCol() {
        return definitions().predictionCol;
    }

    default IntArrayParam hiddenLayers() {
        return definitions().hiddenLayers;
    }

    default Param<String> activation() {
        return definitions().activation;
    }

    default Param<String> optimizer() {
        return definitions().optimizer;
    }

    default DoubleParam learningRate() {
        return definitions().learningRate;
    }

    default IntParam epochs() {
        return definitions().epochs;
    }

    default IntParam batchSize() {
        return definitions().batchSize;
    }

    default IntParam workers() {
        return definitions().workers;
    }

    default LongParam seed() {
        return definitions().seed;
    }

    default DoubleParam validationFraction() {
        return definitions().validationFraction;
    }

    default DoubleParam l2() {
        return definitions().l2;
    }

    default DoubleParam clipNorm() {
        return definitions().clipNorm;
    }

    default DoubleParam clipValue() {
        return definitions().clipValue;
    }

    default Param<String> averaging() {
        return definitions().averaging;
    }

    default IntParam averagingFrequency() {
        return definitions().averagingFrequency;
    }

    default BooleanParam averageUpdaterState() {
        return definitions().averageUpdaterState;
    }

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getLabelCol() {
        return getOrDefault(labelCol());
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default int[] getHiddenLayers() {
        return getOrDefault(hiddenLayers()).clone();
    }

    default String getActivation() {
        return getOrDefault(activation());
    }

    default String getOptimizer() {
        return getOrDefault(optimizer());
    }

    /** The learning rate set, or the optimizer's default when none was. */
    default double getLearningRate() {
        if (isDefined(learningRate())) {
            return (Double) getOrDefault(learningRate());
        }
        return SpecDefaults.learningRate(OptimizerType.valueOf(getOptimizer().toUpperCase(Locale.ROOT)));
    }

    default int getEpochs() {
        return (Integer) getOrDefault(epochs());
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default int getWorkers() {
        return (Integer) getOrDefault(workers());
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default double getValidationFraction() {
        return (Double) getOrDefault(validationFraction());
    }

    default double getL2() {
        return (Double) getOrDefault(l2());
    }

    default double getClipNorm() {
        return (Double) getOrDefault(clipNorm());
    }

    default double getClipValue() {
        return (Double) getOrDefault(clipValue());
    }

    default String getAveraging() {
        return getOrDefault(averaging());
    }

    default int getAveragingFrequency() {
        return (Integer) getOrDefault(averagingFrequency());
    }

    default boolean getAverageUpdaterState() {
        return (Boolean) getOrDefault(averageUpdaterState());
    }
}
