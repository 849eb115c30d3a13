package dptrain.driver.ml;

import dptrain.driver.config.Activation;
import dptrain.driver.config.OptimizerType;
import dptrain.driver.config.SpecDefaults;
import dptrain.worker.step.Averaging;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import scala.runtime.AbstractFunction1;

/**
 * Every param of the neural-network estimators and their models, each declared once here with its
 * name, doc, validator and default. An Estimator and the Model it fits each hold one instance
 * (params belong to a stage's uid) and expose them through {@link NeuralNetParams}, so a trained
 * model carries exactly the settings it was trained with. Training defaults are the job spec's
 * ({@link SpecDefaults}), except {@code validationFraction} (0: a Spark ML pipeline validates
 * with its own evaluators).
 */
public final class ParamDefinitions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Hidden-layer activations (softmax belongs to the output layer, which follows from the task). */
    static final List<String> ACTIVATIONS = Arrays.stream(Activation.values()).filter(a -> a != Activation.SOFTMAX)
            .map(ParamDefinitions::spelling).toList();
    static final List<String> OPTIMIZERS = Arrays.stream(OptimizerType.values()).map(ParamDefinitions::spelling)
            .toList();
    static final List<String> AVERAGING = Arrays.stream(Averaging.Mode.values()).map(ParamDefinitions::spelling)
            .toList();

    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    /** Classifier stages only, else {@code null}. */
    final Param<String> probabilityCol;
    /** Classifier stages only, else {@code null}. */
    final Param<String> rawPredictionCol;
    final IntArrayParam hiddenLayers;
    final Param<String> activation;
    final Param<String> optimizer;
    final DoubleParam learningRate;
    final IntParam epochs;
    final IntParam batchSize;
    final IntParam workers;
    final LongParam seed;
    final DoubleParam validationFraction;
    final DoubleParam l2;
    final DoubleParam clipNorm;
    final DoubleParam clipValue;
    final Param<String> averaging;
    final IntParam averagingFrequency;
    final BooleanParam averageUpdaterState;

    ParamDefinitions(Params owner, boolean classifier) {
        featuresCol = new Param<>(owner, "featuresCol", "features column: a Spark ML vector of the network inputs");
        labelCol = new Param<>(owner, "labelCol", classifier
                ? "label column: class indices 0..K-1 (e.g. from StringIndexer); K comes from the column's"
                + " nominal attribute, else from the largest label"
                : "label column: the numeric regression target");
        predictionCol = new Param<>(owner, "predictionCol", classifier
                ? "prediction column: the most probable class index (double)" : "prediction column (double)");
        probabilityCol = classifier ? new Param<>(owner, "probabilityCol",
                "probability column: a vector of the K class probabilities (softmax); empty to leave it out") : null;
        rawPredictionCol = classifier ? new Param<>(owner, "rawPredictionCol",
                "raw prediction column: a vector of the K log-probabilities (the logits up to a per-row"
                        + " constant); empty to leave it out") : null;
        hiddenLayers = new IntArrayParam(owner, "hiddenLayers",
                "units of each hidden layer, input to output (the input width follows from the features, the"
                        + " output layer from the task); may be empty", new PositiveSizes());
        activation = new Param<>(owner, "activation", "activation of the hidden layers; one of "
                + String.join(", ", ACTIVATIONS), ParamValidators.inArray(ACTIVATIONS));
        optimizer = new Param<>(owner, "optimizer", "the updater; one of " + String.join(", ", OPTIMIZERS),
                ParamValidators.inArray(OPTIMIZERS));
        learningRate = new DoubleParam(owner, "learningRate", "step size (> 0); unset: the optimizer's default"
                + " (0.01 for sgd, momentum, nesterov, adagrad; 0.001 for rmsprop, adam,"
                + " adamw)", ParamValidators.gt(0));
        epochs = new IntParam(owner, "epochs", "passes over the training rows (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(owner, "batchSize", "the global mini-batch, split across the workers"
                + " (>= workers)", ParamValidators.gtEq(1));
        workers = new IntParam(owner, "workers", "data-parallel workers: tasks of one Spark barrier stage, all"
                + " running at once (>= 1)", ParamValidators.gtEq(1));
        seed = new LongParam(owner, "seed", "the one seed: weight initialisation, validation split, shuffling");
        validationFraction = new DoubleParam(owner, "validationFraction", "fraction of the rows held out by a"
                + " seeded split and evaluated after every epoch (logged), in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
        l2 = new DoubleParam(owner, "l2", "L2 regularisation coefficient on weights (>= 0)", ParamValidators.gtEq(0));
        clipNorm = new DoubleParam(owner, "clipNorm", "rescale the averaged gradient (after the all-reduce,"
                + " before the updater) so its global L2 norm over all layers is at most this; 0: off (>= 0)",
                ParamValidators.gtEq(0));
        clipValue = new DoubleParam(owner, "clipValue", "clamp every element of the averaged gradient to"
                + " [-clipValue, clipValue]; 0: off (>= 0; not together with clipNorm)", ParamValidators.gtEq(0));
        averaging = new Param<>(owner, "averaging", "what the workers average: gradients (every iteration, the"
                + " exact global-batch step) or parameters (after averagingFrequency local steps and at the end"
                + " of each epoch); one of " + String.join(", ", AVERAGING), ParamValidators.inArray(AVERAGING));
        averagingFrequency = new IntParam(owner, "averagingFrequency", "local steps between parameter averages"
                + " (>= 1; above 1 only with averaging=parameters)", ParamValidators.gtEq(1));
        averageUpdaterState = new BooleanParam(owner, "averageUpdaterState", "average the updater state"
                + " (momentum, Adam moments) with the parameters; only with averaging=parameters");

        owner.setDefault(featuresCol, "features");
        owner.setDefault(labelCol, "label");
        owner.setDefault(predictionCol, "prediction");
        if (classifier) {
            owner.setDefault(probabilityCol, "probability");
            owner.setDefault(rawPredictionCol, "rawPrediction");
        }
        owner.setDefault(hiddenLayers, new int[] {64});
        owner.setDefault(activation, spelling(SpecDefaults.HIDDEN_ACTIVATION));
        owner.setDefault(optimizer, spelling(SpecDefaults.OPTIMIZER));
        owner.setDefault(epochs, SpecDefaults.EPOCHS);
        owner.setDefault(batchSize, SpecDefaults.BATCH_SIZE);
        owner.setDefault(workers, SpecDefaults.WORKERS);
        owner.setDefault(seed, SpecDefaults.SEED);
        owner.setDefault(validationFraction, 0.0);
        owner.setDefault(l2, SpecDefaults.L2);
        owner.setDefault(clipNorm, SpecDefaults.CLIP_NORM);
        owner.setDefault(clipValue, SpecDefaults.CLIP_VALUE);
        owner.setDefault(averaging, spelling(SpecDefaults.AVERAGING));
        owner.setDefault(averagingFrequency, SpecDefaults.AVERAGING_FREQUENCY);
        owner.setDefault(averageUpdaterState, SpecDefaults.AVERAGE_UPDATER_STATE);
    }

    static String spelling(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Layer sizes must be positive. */
    private static final class PositiveSizes extends AbstractFunction1<int[], Object> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(int[] sizes) {
            return Arrays.stream(sizes).allMatch(size -> size >= 1);
        }
    }
}
