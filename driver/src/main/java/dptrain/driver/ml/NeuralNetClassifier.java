package dptrain.driver.ml;

import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * A feed-forward network classifier trained data-parallel on Spark: hidden layers of
 * {@code hiddenLayers} units, then a softmax output of one unit per class, trained with
 * cross-entropy. Labels are class indices {@code 0..K-1} (as {@code StringIndexer} writes them);
 * K is the label column's nominal attribute size when it has one, else the largest label plus one.
 *
 * <pre>{@code
 * NeuralNetClassifier classifier = new NeuralNetClassifier()
 *         .setHiddenLayers(64, 32).setEpochs(20).setWorkers(4).setBatchSize(128);
 * NeuralNetClassificationModel model = classifier.fit(train);
 * model.transform(test).select("prediction", "probability");
 * }</pre>
 */
public final class NeuralNetClassifier extends NeuralNetEstimator<NeuralNetClassifier, NeuralNetClassificationModel>
        implements NeuralNetClassifierParams {

    private static final long serialVersionUID = 1L;

    public NeuralNetClassifier() {
        this(Identifiable.randomUID("nnClassifier"));
    }

    public NeuralNetClassifier(String uid) {
        super(uid, true);
    }

    public NeuralNetClassifier setProbabilityCol(String value) {
        return setChecked(probabilityCol(), value);
    }

    public NeuralNetClassifier setRawPredictionCol(String value) {
        return setChecked(rawPredictionCol(), value);
    }

    @Override
    List<String> labelNames(Dataset<?> dataset) {
        String column = getLabelCol();
        Attribute attribute = Attribute.fromStructField(dataset.schema().apply(column));
        List<String> names = new ArrayList<>();
        if (attribute instanceof NominalAttribute nominal && nominal.getNumValues().isDefined()) {
            int classes = (Integer) nominal.getNumValues().get();
            for (int k = 0; k < classes; k++) {
                names.add(nominal.values().isDefined() ? nominal.values().get()[k] : Integer.toString(k));
            }
        } else if (attribute instanceof BinaryAttribute binary) {
            names.add(binary.values().isDefined() ? binary.values().get()[0] : "0");
            names.add(binary.values().isDefined() ? binary.values().get()[1] : "1");
        } else {
            Row max = dataset.agg(functions.max(functions.col(column))).head();
            if (max.isNullAt(0)) {
                throw new IllegalArgumentException("labelCol: column '" + column + "' has no values");
            }
            double largest = ((Number) max.get(0)).doubleValue();
            if (largest != Math.rint(largest) || largest < 0 || largest > Integer.MAX_VALUE - 1) {
                throw new IllegalArgumentException("labelCol: column '" + column + "' has the label " + largest
                        + "; classification labels are class indices 0..K-1 (e.g. from StringIndexer)");
            }
            for (int k = 0; k <= (int) largest; k++) {
                names.add(Integer.toString(k));
            }
        }
        if (names.size() < 2) {
            throw new IllegalArgumentException("labelCol: column '" + column + "' has " + names.size()
                    + " class; classification needs at least 2");
        }
        return names;
    }

    @Override
    LayerSpec outputLayer(int classes) {
        return LayerSpec.output(classes, Loss.MCXENT);
    }

    @Override
    NeuralNetClassificationModel newModel(String uid, TrainedNetwork network) {
        return new NeuralNetClassificationModel(uid, network);
    }

    @Override
    StructType outputSchema(StructType schema) {
        return NeuralNetClassificationModel.outputSchema(schema, this, List.of());
    }

    @Override
    public NeuralNetClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<NeuralNetClassifier> read() {
        return new StageReader<>(NeuralNetClassifier.class, false, (uid, network) -> new NeuralNetClassifier(uid));
    }

    public static NeuralNetClassifier load(String path) {
        return read().load(path);
    }
}
