package dptrain.driver.ml;

import dptrain.driver.config.Task;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/** A fitted {@link NeuralNetRegressor}: appends the network's output as {@code predictionCol} (double). */
public final class NeuralNetRegressionModel extends NeuralNetModel<NeuralNetRegressionModel> {

    private static final long serialVersionUID = 1L;

    NeuralNetRegressionModel(String uid, TrainedNetwork network) {
        super(uid, network, false);
        if (network.task() != Task.REGRESSION) {
            throw new IllegalArgumentException("a regression model needs a regression network, got "
                    + network.task());
        }
    }

    @Override
    ScoredColumns scoredColumns() {
        return new ScoredColumns(0, !getPredictionCol().isEmpty(), false, false);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Schemas.requireVector(schema, "featuresCol", getFeaturesCol());
        return outputSchema(schema, this);
    }

    static StructType outputSchema(StructType schema, NeuralNetParams params) {
        return Schemas.append(schema, "predictionCol", params.getPredictionCol(), DataTypes.DoubleType,
                Metadata.empty());
    }

    @Override
    public NeuralNetRegressionModel copy(ParamMap extra) {
        return copyValues(new NeuralNetRegressionModel(uid(), network()), extra).setParent(parent());
    }

    public static MLReader<NeuralNetRegressionModel> read() {
        return new StageReader<>(NeuralNetRegressionModel.class, true, NeuralNetRegressionModel::new);
    }

    public static NeuralNetRegressionModel load(String path) {
        return read().load(path);
    }
}
