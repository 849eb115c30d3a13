package dptrain.driver.ml;

import dptrain.driver.config.Task;
import java.util.List;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link NeuralNetClassifier}: appends the most probable class index
 * ({@code predictionCol}, a double with a nominal attribute of K values), the class probabilities
 * ({@code probabilityCol}) and their logarithms ({@code rawPredictionCol}); an empty column name
 * leaves that column out. Works with Spark's classification evaluators and {@code IndexToString}.
 */
public final class NeuralNetClassificationModel extends NeuralNetModel<NeuralNetClassificationModel>
        implements NeuralNetClassifierParams {

    private static final long serialVersionUID = 1L;

    NeuralNetClassificationModel(String uid, TrainedNetwork network) {
        super(uid, network, true);
        if (network.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("a classification model needs a classification network, got "
                    + network.task());
        }
    }

    /** K, the number of classes. */
    public int numClasses() {
        return network().numClasses();
    }

    public NeuralNetClassificationModel setProbabilityCol(String value) {
        set(probabilityCol(), value);
        return this;
    }

    public NeuralNetClassificationModel setRawPredictionCol(String value) {
        set(rawPredictionCol(), value);
        return this;
    }

    @Override
    ScoredColumns scoredColumns() {
        return new ScoredColumns(numClasses(), !getPredictionCol().isEmpty(), !getProbabilityCol().isEmpty(),
                !getRawPredictionCol().isEmpty());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Schemas.requireVector(schema, "featuresCol", getFeaturesCol());
        return outputSchema(schema, this, network().labelNames());
    }

    /**
     * The input schema plus the prediction, probability and raw prediction columns of {@code params}.
     * The prediction's nominal attribute names the classes (so {@code IndexToString} needs no labels).
     *
     * @param labelNames class names by index, empty while not yet fitted
     */
    static StructType outputSchema(StructType schema, NeuralNetClassifierParams params, List<String> labelNames) {
        NominalAttribute prediction = NominalAttribute.defaultAttr().withName(params.getPredictionCol());
        if (!labelNames.isEmpty()) {
            prediction = prediction.withValues(labelNames.toArray(new String[0]));
        }
        StructType out = Schemas.append(schema, "predictionCol", params.getPredictionCol(), DataTypes.DoubleType,
                params.getPredictionCol().isEmpty() ? Metadata.empty() : prediction.toMetadata());
        out = Schemas.append(out, "probabilityCol", params.getProbabilityCol(), SQLDataTypes.VectorType(),
                Metadata.empty());
        return Schemas.append(out, "rawPredictionCol", params.getRawPredictionCol(), SQLDataTypes.VectorType(),
                Metadata.empty());
    }

    @Override
    public NeuralNetClassificationModel copy(ParamMap extra) {
        return copyValues(new NeuralNetClassificationModel(uid(), network()), extra).setParent(parent());
    }

    public static MLReader<NeuralNetClassificationModel> read() {
        return new StageReader<>(NeuralNetClassificationModel.class, true, NeuralNetClassificationModel::new);
    }

    public static NeuralNetClassificationModel load(String path) {
        return read().load(path);
    }
}
