package dptrain.driver.ml;

import dptrain.driver.config.Activation;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.OptimizerType;
import dptrain.driver.config.SpecDefaults;
import dptrain.driver.config.Task;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.LabelEncoding;
import dptrain.driver.data.PreparedData;
import dptrain.driver.engine.BarrierStages;
import dptrain.driver.engine.DistributedTrainer;
import dptrain.driver.engine.TrainingRequest;
import dptrain.driver.engine.TrainingResult;
import dptrain.driver.network.NetworkFactory;
import dptrain.driver.report.ProgressLog;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.StepSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the classifier and the regressor share: the setters and {@code fit}, which checks the
 * schema and the params, prepares the DataFrame like a job's data (checked rows, seeded
 * validation split, exactly {@code workers} cached float32 shards) and translates the params into
 * a request for the same engine as {@code dptrain train} ({@link DistributedTrainer}): no files,
 * no checkpoints; the fitted model holds the result.
 *
 * @param <E> the concrete Estimator, returned by the setters
 * @param <M> the Model it fits
 */
public abstract class NeuralNetEstimator<E extends NeuralNetEstimator<E, M>, M extends NeuralNetModel<M>>
        extends Estimator<M> implements NeuralNetParams, MLWritable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NeuralNetEstimator.class);

    private final String uid;
    private final ParamDefinitions definitions;

    NeuralNetEstimator(String uid, boolean classifier) {
        this.uid = uid;
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

    /** Class names by index from the label column (classifier), or empty (regressor). */
    abstract List<String> labelNames(Dataset<?> dataset);

    /** The output layer for that many classes (0 for regression). */
    abstract LayerSpec outputLayer(int classes);

    abstract M newModel(String uid, TrainedNetwork network);

    /** The schema a fitted model's transform gives. */
    abstract StructType outputSchema(StructType schema);

    @Override
    public StructType transformSchema(StructType schema) {
        Schemas.requireVector(schema, "featuresCol", getFeaturesCol());
        Schemas.requireNumeric(schema, "labelCol", getLabelCol());
        return outputSchema(schema);
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        int workers = getWorkers();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        BarrierStages.slotShortage(context, workers).ifPresent(shortage -> {
            throw new IllegalArgumentException("workers: " + shortage);
        });
        int batchSize = getBatchSize();
        if (batchSize < workers) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " is less than workers (" + workers
                    + "); every worker needs at least one row of each global batch");
        }
        StepSettings step = stepSettings();
        List<String> labelNames = labelNames(dataset);
        LayerSpec output = outputLayer(labelNames.size());
        List<LayerSpec> layers = new ArrayList<>();
        Activation activation = Activation.valueOf(getActivation().toUpperCase(Locale.ROOT));
        for (int units : getHiddenLayers()) {
            layers.add(LayerSpec.dense(units, activation));
        }
        layers.add(output);
        OptimizerType type = OptimizerType.valueOf(getOptimizer().toUpperCase(Locale.ROOT));
        OptimizerSpec optimizer = new OptimizerSpec(type, getLearningRate(), SpecDefaults.MOMENTUM,
                SpecDefaults.BETA1, SpecDefaults.BETA2, SpecDefaults.EPSILON, SpecDefaults.RHO);
        LabelEncoding labels = labelNames.isEmpty() ? new LabelEncoding.Values(1)
                : new LabelEncoding.ClassIndices(labelNames.size());
        LOG.info("{} fit: hiddenLayers={} activation={} optimizer={} learningRate={} l2={} epochs={} batchSize={}"
                        + " workers={} seed={} validationFraction={} classes={} averaging={} clipping={}", uid,
                Arrays.toString(getHiddenLayers()), getActivation(), getOptimizer(), getLearningRate(), getL2(),
                getEpochs(), batchSize, workers, getSeed(), getValidationFraction(), labelNames.size(),
                step.averaging(), step.clipping());
        PreparedData data = DatasetPreparer.prepare(dataset.sparkSession(), dataset, getFeaturesCol(), getLabelCol(),
                labels, getValidationFraction(), workers, getSeed());
        try {
            String configuration = NetworkFactory.configuration(new ModelSpec(layers, getL2()), optimizer,
                    data.featureCount(), getSeed()).toJson();
            Task task = output.loss().task();
            TrainingResult result = DistributedTrainer.fit(new TrainingRequest.Builder("dptrain-ml", configuration,
                    data.train(), workers)
                    .validation(data.validation())
                    .labels(output.loss() == Loss.MCXENT ? output.units() : 0, output.loss() == Loss.BCE)
                    .seed(getSeed())
                    .batchSize(batchSize)
                    .epochs(getEpochs())
                    .step(step)
                    .epochRetries(SpecDefaults.EPOCH_RETRIES)
                    .collectiveTimeoutSeconds(SpecDefaults.COLLECTIVE_TIMEOUT_SECONDS)
                    .learningRate(NetworkFactory.updater(optimizer)::getLearningRate)
                    .listener(new ProgressLog(task))
                    .build());
            TrainedNetwork network = new TrainedNetwork(configuration, result.state(), task, data.featureCount(),
                    labelNames, result.trainLosses());
            M fitted = copyValues(newModel(uid, network), ParamMap.empty());
            return fitted.setParent(this);
        } finally {
            data.train().unpersist(false);
            data.validation().unpersist(false);
        }
    }

    /**
     * Averaging and clipping as the params say, checked together (a combination the params cannot
     * refuse one by one fails here, before the data is read); no monitoring probes.
     */
    private StepSettings stepSettings() {
        Averaging.Mode mode = Averaging.Mode.valueOf(getAveraging().toUpperCase(Locale.ROOT));
        if (mode == Averaging.Mode.GRADIENTS && getAveragingFrequency() != 1) {
            throw new IllegalArgumentException("averagingFrequency: " + getAveragingFrequency() + " needs"
                    + " averaging=parameters (gradients are averaged every iteration)");
        }
        if (mode == Averaging.Mode.GRADIENTS && isSet(averageUpdaterState())) {
            throw new IllegalArgumentException("averageUpdaterState: only used with averaging=parameters");
        }
        if (getClipNorm() > 0 && getClipValue() > 0) {
            throw new IllegalArgumentException("clipValue: " + getClipValue() + " cannot be combined with clipNorm ("
                    + getClipNorm() + "); set one of the two");
        }
        Averaging averaging = mode == Averaging.Mode.PARAMETERS
                ? Averaging.parameters(getAveragingFrequency(), getAverageUpdaterState()) : Averaging.GRADIENTS;
        GradientClipping clipping = getClipNorm() > 0 ? GradientClipping.norm(getClipNorm())
                : getClipValue() > 0 ? GradientClipping.value(getClipValue()) : GradientClipping.NONE;
        return new StepSettings(averaging, clipping, 0);
    }

    @Override
    public MLWriter write() {
        return new StageWriter(this, null);
    }

    public E setFeaturesCol(String value) {
        return setChecked(featuresCol(), value);
    }

    public E setLabelCol(String value) {
        return setChecked(labelCol(), value);
    }

    public E setPredictionCol(String value) {
        return setChecked(predictionCol(), value);
    }

    /** Units of each hidden layer, input to output; none gives a linear model (softmax/linear regression). */
    public E setHiddenLayers(int... units) {
        return setChecked(hiddenLayers(), units.clone());
    }

    /** One of relu, leakyrelu, elu, sigmoid, tanh, identity (any case). */
    public E setActivation(String value) {
        return setChecked(activation(), value.toLowerCase(Locale.ROOT));
    }

    /** One of sgd, momentum, nesterov, rmsprop, adam (any case). */
    public E setOptimizer(String value) {
        return setChecked(optimizer(), value.toLowerCase(Locale.ROOT));
    }

    public E setLearningRate(double value) {
        return setChecked(learningRate(), value);
    }

    public E setEpochs(int value) {
        return setChecked(epochs(), value);
    }

    public E setBatchSize(int value) {
        return setChecked(batchSize(), value);
    }

    public E setWorkers(int value) {
        return setChecked(workers(), value);
    }

    public E setSeed(long value) {
        return setChecked(seed(), value);
    }

    public E setValidationFraction(double value) {
        return setChecked(validationFraction(), value);
    }

    public E setL2(double value) {
        return setChecked(l2(), value);
    }

    /** Global L2-norm bound on the averaged gradient; 0 turns it off. */
    public E setClipNorm(double value) {
        return setChecked(clipNorm(), value);
    }

    /** Element bound on the averaged gradient; 0 turns it off. */
    public E setClipValue(double value) {
        return setChecked(clipValue(), value);
    }

    /** gradients or parameters (any case). */
    public E setAveraging(String value) {
        return setChecked(averaging(), value.toLowerCase(Locale.ROOT));
    }

    public E setAveragingFrequency(int value) {
        return setChecked(averagingFrequency(), value);
    }

    public E setAverageUpdaterState(boolean value) {
        return setChecked(averageUpdaterState(), value);
    }

    /**
     * Sets a param; a value its validator refuses is an IllegalArgumentException that names the
     * param, the value and (through the doc) what is allowed.
     */
    @SuppressWarnings("unchecked")
    final <T> E setChecked(Param<T> param, Object value) {
        if (!param.isValid().apply((T) value).equals(Boolean.TRUE)) {
            throw new IllegalArgumentException(param.name() + ": invalid value " + show(value) + "; "
                    + param.doc());
        }
        set(param, (T) value);
        return (E) this;
    }

    private static String show(Object value) {
        return value instanceof int[] array ? Arrays.toString(array) : String.valueOf(value);
    }
}
