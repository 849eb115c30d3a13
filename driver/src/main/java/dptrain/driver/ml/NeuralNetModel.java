package dptrain.driver.ml;

import dptrain.driver.report.ModelCard;
import dptrain.worker.score.ScoringModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What the fitted classification and regression models share: the trained network (kept apart
 * from the params it was trained with), scoring and saving. {@code transform} is lazy and never
 * collects: each partition rebuilds the broadcast network once and scores its rows in chunks.
 *
 * @param <M> the concrete Model
 */
public abstract class NeuralNetModel<M extends NeuralNetModel<M>> extends Model<M>
        implements NeuralNetParams, MLWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ParamDefinitions definitions;
    private final TrainedNetwork network;
    /** Created on the first transform and reused by later ones (the network never changes). */
    private transient Broadcast<ScoringModel> broadcast;

    NeuralNetModel(String uid, TrainedNetwork network, boolean classifier) {
        this.uid = uid;
        this.network = network;
        this.definitions = new ParamDefinitions(this, classifier);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ParamDefinitions definitions() {
        return definitions;
    }

    /** The trained network: DL4J configuration, parameters and what scoring needs. */
    public TrainedNetwork network() {
        return network;
    }

    /** Width of the feature vectors the model takes. */
    public int numFeatures() {
        return network.featureCount();
    }

    /** All parameters (weights and biases, DL4J's flattened order), as trained. */
    public Vector weights() {
        float[] params = network.state().params();
        double[] values = new double[params.length];
        for (int i = 0; i < params.length; i++) {
            values[i] = params[i];
        }
        return Vectors.dense(values);
    }

    /** Mean training loss of each epoch, in order. */
    public double[] trainingLoss() {
        return network.trainLoss();
    }

    /** Which columns {@link #transform} appends, from the current params. */
    abstract ScoredColumns scoredColumns();

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType output = transformSchema(dataset.schema());
        ScoredColumns columns = scoredColumns();
        if (columns.count() == 0) {
            return dataset.toDF();
        }
        PartitionScorer scorer = new PartitionScorer(broadcast(dataset.sparkSession()),
                dataset.schema().fieldIndex(getFeaturesCol()), getFeaturesCol(), columns, null, null);
        Dataset<Row> scored = dataset.toDF().mapPartitions(scorer, Encoders.row(output));
        // Keep every column's ML attributes (e.g. StringIndexer's label names) through the row encoder.
        List<Column> withMetadata = new ArrayList<>();
        for (StructField field : output.fields()) {
            withMetadata.add(functions.col(field.name()).as(field.name(), field.metadata()));
        }
        return scored.select(withMetadata.toArray(new Column[0]));
    }

    private synchronized Broadcast<ScoringModel> broadcast(SparkSession spark) {
        if (broadcast == null) {
            broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(network.scoring());
        }
        return broadcast;
    }

    @Override
    public MLWriter write() {
        return new StageWriter(this, this);
    }

    /** The card its {@code model.zip} carries (StageWriter). */
    ModelCard archiveMetadata() {
        return ModelArchive.card(network, getFeaturesCol(), getSeed());
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    public M setFeaturesCol(String value) {
        set(featuresCol(), value);
        return self();
    }

    public M setPredictionCol(String value) {
        set(predictionCol(), value);
        return self();
    }
}
