package dptrain.driver.network;

import dptrain.driver.BadInputException;
import dptrain.driver.config.Activation;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.Padding;
import dptrain.driver.config.PoolingType;
import dptrain.driver.config.ScheduleSpec;
import dptrain.driver.config.TrainingSpec;
import dptrain.driver.config.WeightInit;
import dptrain.worker.loss.HuberLoss;
import dptrain.worker.schedule.ConstantRate;
import dptrain.worker.schedule.CosineDecay;
import dptrain.worker.schedule.CosineRestarts;
import dptrain.worker.schedule.ExponentialDecay;
import dptrain.worker.schedule.LinearWarmup;
import dptrain.worker.schedule.StepDecay;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.Momentum;
import dptrain.worker.step.Network;
import dptrain.worker.step.StepSettings;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Turns the spec's model and optimizer into a DL4J {@link MultiLayerConfiguration}: the one
 * place where spec names meet DL4J classes. The configuration (as JSON) is what executors
 * rebuild the network from.
 */
public final class NetworkFactory {

    private NetworkFactory() {
    }

    /**
     * @param inputs  width of the feature vectors
     * @param seed    weight-initialisation seed
     */
    public static MultiLayerConfiguration configuration(ModelSpec model, OptimizerSpec optimizer, int inputs,
                                                        long seed) {
        return configuration(model, optimizer, List.of(), inputs, seed);
    }

    /**
     * @param shape   {@code [channels, height, width]} of image rows, or empty for feature vectors
     * @param inputs  width of the (flat) feature rows
     * @param seed    weight-initialisation and dropout seed
     */
    public static MultiLayerConfiguration configuration(ModelSpec model, OptimizerSpec optimizer, List<Integer> shape,
                                                        int inputs, long seed) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater(optimizer))
                .l2(model.l2())
                .list();
        for (LayerSpec spec : model.layers()) {
            Layer layer = layer(spec);
            if (layer != null) {
                layers.layer(layer);
            }
        }
        // rows stay flat float32 vectors; for images DL4J reshapes them to [c, h, w] in front of the
        // first layer and back to vectors in front of the first dense layer (its input preprocessors),
        // and infers every nIn from the input type
        layers.setInputType(shape.isEmpty() ? InputType.feedForward(inputs)
                : InputType.convolutionalFlat(shape.get(1), shape.get(2), shape.get(0)));
        return withWeightDecay(layers.build(), optimizer.weightDecay());
    }

    /**
     * Puts decoupled weight decay on every layer's weights: DL4J's {@code WeightDecay} with
     * {@code applyLR = true}, which runs after the updater step and subtracts
     * {@code lr * coefficient * w}. Set here rather than through the builder's
     * {@code weightDecay(...)}, which in DL4J 1.0.0-M2 gives each layer the regularisation twice
     * (twice the decay).
     */
    static MultiLayerConfiguration withWeightDecay(MultiLayerConfiguration configuration, double weightDecay) {
        if (weightDecay > 0) {
            for (NeuralNetConfiguration layer : configuration.getConfs()) {
                if (layer.getLayer() instanceof BaseLayer base) {
                    base.setRegularization(new ArrayList<>(List.of(new WeightDecay(weightDecay, true))));
                }
            }
        }
        return configuration;
    }

    /** The DL4J layer for one spec layer, or {@code null} for flatten (DL4J's preprocessors do that). */
    private static Layer layer(LayerSpec spec) {
        return switch (spec.type()) {
            case DENSE -> withDropout(new DenseLayer.Builder()
                    .nOut(spec.units())
                    .activation(activation(spec.activation()))
                    .weightInit(weightInit(spec.weightInit())), spec).build();
            case OUTPUT -> withDropout(new OutputLayer.Builder(lossFunction(spec.loss()))
                    .nOut(spec.units())
                    .activation(activation(spec.activation()))
                    .weightInit(weightInit(spec.weightInit())), spec).build();
            case DROPOUT -> new DropoutLayer.Builder(new Dropout(1 - spec.dropout())).build();
            case BATCH_NORM -> new BatchNormalization.Builder().build();
            case CONVOLUTION -> withDropout(new ConvolutionLayer.Builder(spec.kernel().toArray())
                    .stride(spec.stride().toArray())
                    .convolutionMode(convolutionMode(spec.padding()))
                    .nOut(spec.filters())
                    .activation(activation(spec.activation()))
                    .weightInit(weightInit(spec.weightInit())), spec).build();
            case POOLING -> new SubsamplingLayer.Builder(poolingType(spec.pooling()))
                    .kernelSize(spec.kernel().toArray())
                    .stride(spec.stride().toArray())
                    .convolutionMode(convolutionMode(spec.padding()))
                    .build();
            case GLOBAL_POOLING -> new GlobalPoolingLayer.Builder(poolingType(spec.pooling())).build();
            case FLATTEN -> null;
        };
    }

    /**
     * The spec's dropout is the fraction dropped (as in Keras); DL4J's {@link Dropout} takes the
     * probability of keeping an input. DL4J applies a layer's dropout to that layer's inputs.
     */
    private static <B extends org.deeplearning4j.nn.conf.layers.Layer.Builder<B>> B withDropout(B builder,
                                                                                                  LayerSpec spec) {
        if (spec.dropout() > 0) {
            builder.dropOut(new Dropout(1 - spec.dropout()));
        }
        return builder;
    }

    private static ConvolutionMode convolutionMode(Padding padding) {
        return switch (padding) {
            case VALID -> ConvolutionMode.Truncate;
            case SAME -> ConvolutionMode.Same;
        };
    }

    private static org.deeplearning4j.nn.conf.layers.PoolingType poolingType(PoolingType pooling) {
        return switch (pooling) {
            case MAX -> org.deeplearning4j.nn.conf.layers.PoolingType.MAX;
            case AVG -> org.deeplearning4j.nn.conf.layers.PoolingType.AVG;
        };
    }

    /**
     * Reads a {@code model.dl4j_json} file (any Hadoop path) and checks that DL4J can build a
     * network from it.
     *
     * @throws BadInputException if it cannot be read or is not a DL4J configuration
     */
    public static String readConfiguration(String path, Configuration hadoop) {
        String json;
        try {
            Path file = new Path(path);
            FileSystem fs = file.getFileSystem(hadoop);
            try (InputStream in = fs.open(file)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (FileNotFoundException e) {
            throw new BadInputException("model.dl4j_json: file not found: " + path);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("model.dl4j_json: cannot read " + path + " (" + e.getMessage() + ")", e);
        }
        try {
            Network.fromJson(json);
        } catch (RuntimeException e) {
            throw new BadInputException("model.dl4j_json: " + path + " is not a DL4J MultiLayerConfiguration or"
                    + " ComputationGraphConfiguration JSON (" + firstLine(e) + ")", e);
        }
        return json;
    }

    /**
     * For a {@code MultiLayerConfiguration} whose first layer states its input width: that width
     * must be the data's feature count (a graph's inputs are checked by DL4J on the first batch).
     */
    public static void checkInputWidth(String json, String path, int featureCount) {
        if (Network.isGraph(json)) {
            return;
        }
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
        if (conf.getConfs().isEmpty() || conf.getInputPreProcess(0) != null) {
            return;
        }
        if (conf.getConf(0).getLayer() instanceof FeedForwardLayer first && first.getNIn() > 0
                && first.getNIn() != featureCount) {
            throw new BadInputException("model.dl4j_json: " + path + " expects " + first.getNIn()
                    + " inputs (nIn of its first layer), but the data has " + featureCount + " features");
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }


    /**
     * The DL4J updater, with the learning-rate schedule attached when the rate varies (a constant
     * rate stays a plain number, so configurations and checkpoints of unscheduled runs are unchanged).
     * Decoupled weight decay ({@code adamw}) is not part of the updater but DL4J's {@code WeightDecay}
     * regularisation with {@code applyLR = true}: applied after the updater step, scaled by the
     * current learning rate, {@code w -= lr * weight_decay * w}, exactly AdamW's decoupled decay.
     *
     * @param spec an optimizer whose schedule is fixed for the run ({@link OptimizerSpec#forRun})
     */
    public static IUpdater updater(OptimizerSpec spec) {
        IUpdater updater = switch (spec.type()) {
            case SGD -> new Sgd(spec.learningRate());
            case MOMENTUM -> new Momentum(spec.learningRate(), spec.momentum());
            case NESTEROV -> new Nesterovs(spec.learningRate(), spec.momentum());
            case RMSPROP -> new RmsProp(spec.learningRate(), spec.rho(), spec.epsilon());
            case ADAM, ADAMW -> new Adam(spec.learningRate(), spec.beta1(), spec.beta2(), spec.epsilon());
            case ADAGRAD -> new AdaGrad(spec.learningRate(), spec.epsilon());
        };
        if (spec.schedule().varies()) {
            updater.setLrAndSchedule(spec.learningRate(), schedule(spec.schedule(), spec.learningRate()));
        }
        return updater;
    }

    /** The schedule as the worker's {@link ISchedule}s, starting from {@code learningRate}. */
    static ISchedule schedule(ScheduleSpec spec, double learningRate) {
        ISchedule shape = switch (spec.type()) {
            case CONSTANT -> new ConstantRate(learningRate);
            case STEP -> new StepDecay(learningRate, spec.stepSize(), spec.gamma());
            case EXPONENTIAL -> new ExponentialDecay(learningRate, spec.gamma());
            case COSINE -> {
                if (spec.decayIterations() < 1) {
                    throw new IllegalArgumentException("the cosine schedule's length is not fixed yet; use "
                            + "OptimizerSpec.forRun(totalIterations)");
                }
                yield new CosineDecay(learningRate, spec.decayIterations(), spec.minLearningRate());
            }
            case COSINE_RESTARTS -> new CosineRestarts(learningRate, spec.period(), spec.periodMultiplier(),
                    spec.minLearningRate());
        };
        return spec.warmupIterations() > 0 ? new LinearWarmup(spec.warmupIterations(), shape) : shape;
    }

    /**
     * How the workers step beyond the DL4J configuration: averaging mode, clipping of the averaged
     * gradient, and how often rank 0 records a loss and learning-rate probe.
     *
     * @param probeEvery iterations between probes; 0 for none
     */
    public static StepSettings stepSettings(TrainingSpec training, int probeEvery) {
        Averaging averaging = training.averaging() == Averaging.Mode.PARAMETERS
                ? Averaging.parameters(training.averagingFrequency(), training.averageUpdaterState())
                : Averaging.GRADIENTS;
        OptimizerSpec optimizer = training.optimizer();
        GradientClipping clipping = optimizer.clipNorm() > 0 ? GradientClipping.norm(optimizer.clipNorm())
                : optimizer.clipValue() > 0 ? GradientClipping.value(optimizer.clipValue())
                : GradientClipping.NONE;
        return new StepSettings(averaging, clipping, probeEvery);
    }

    static org.nd4j.linalg.activations.Activation activation(Activation activation) {
        return switch (activation) {
            case RELU -> org.nd4j.linalg.activations.Activation.RELU;
            case LEAKYRELU -> org.nd4j.linalg.activations.Activation.LEAKYRELU;
            case ELU -> org.nd4j.linalg.activations.Activation.ELU;
            case SIGMOID -> org.nd4j.linalg.activations.Activation.SIGMOID;
            case TANH -> org.nd4j.linalg.activations.Activation.TANH;
            case SOFTMAX -> org.nd4j.linalg.activations.Activation.SOFTMAX;
            case IDENTITY -> org.nd4j.linalg.activations.Activation.IDENTITY;
        };
    }

    static ILossFunction lossFunction(Loss loss) {
        return switch (loss) {
            case MSE -> LossFunctions.LossFunction.MSE.getILossFunction();
            case MAE -> LossFunctions.LossFunction.MEAN_ABSOLUTE_ERROR.getILossFunction();
            case HUBER -> new HuberLoss();
            case BCE -> LossFunctions.LossFunction.XENT.getILossFunction();
            case MCXENT -> LossFunctions.LossFunction.MCXENT.getILossFunction();
            case SPARSE_MCXENT -> new LossSparseMCXENT();
        };
    }

    static org.deeplearning4j.nn.weights.WeightInit weightInit(WeightInit init) {
        return switch (init) {
            case XAVIER -> org.deeplearning4j.nn.weights.WeightInit.XAVIER;
            case HE -> org.deeplearning4j.nn.weights.WeightInit.RELU;
            case UNIFORM -> org.deeplearning4j.nn.weights.WeightInit.UNIFORM;
            case NORMAL -> org.deeplearning4j.nn.weights.WeightInit.NORMAL;
        };
    }
}
