package dptrain.driver.ml;

import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * A feed-forward network regressor trained data-parallel on Spark: hidden layers of
 * {@code hiddenLayers} units, then one linear output unit trained with mean squared error on the
 * numeric {@code labelCol}.
 */
public final class NeuralNetRegressor extends NeuralNetEstimator<NeuralNetRegressor, NeuralNetRegressionModel> {

    private static final long serialVersionUID = 1L;

    public NeuralNetRegressor() {
        this(Identifiable.randomUID("nnRegressor"));
    }

    public NeuralNetRegressor(String uid) {
        super(uid, false);
    }

    @Override
    List<String> labelNames(Dataset<?> dataset) {
        return List.of();
    }

    @Override
    LayerSpec outputLayer(int classes) {
        return LayerSpec.output(1, Loss.MSE);
    }

    @Override
    NeuralNetRegressionModel newModel(String uid, TrainedNetwork network) {
        return new NeuralNetRegressionModel(uid, network);
    }

    @Override
    StructType outputSchema(StructType schema) {
        return NeuralNetRegressionModel.outputSchema(schema, this);
    }

    @Override
    public NeuralNetRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<NeuralNetRegressor> read() {
        return new StageReader<>(NeuralNetRegressor.class, false, (uid, network) -> new NeuralNetRegressor(uid));
    }

    public static NeuralNetRegressor load(String path) {
        return read().load(path);
    }
}
