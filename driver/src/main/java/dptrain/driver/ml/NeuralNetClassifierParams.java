package dptrain.driver.ml;

import org.apache.spark.ml.param.Param;

/** The params of {@link NeuralNetClassifier} and its model: the shared ones plus the probability outputs. */
public interface NeuralNetClassifierParams extends NeuralNetParams {

    default Param<String> probabilityCol() {
        return definitions().probabilityCol;
    }

    default Param<String> rawPredictionCol() {
        return definitions().rawPredictionCol;
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    default String getRawPredictionCol() {
        return getOrDefault(rawPredictionCol());
    }
}
