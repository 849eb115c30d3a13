package dptrain.driver.model;

import dptrain.driver.config.Activation;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.LayerType;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.WeightInit;
import dptrain.driver.config.AveragingMode;
import dptrain.driver.config.ScheduleSpec;
import dptrain.driver.config.TrainingSpec;
import dptrain.worker.schedule.ConstantRate;
import dptrain.worker.schedule.CosineDecay;
import dptrain.worker.schedule.CosineRestarts;
import dptrain.worker.schedule.ExponentialDecay;
import dptrain.worker.schedule.LinearWarmup;
import dptrain.worker.schedule.StepDecay;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.Momentum;
import dptrain.worker.step.StepSettings;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;
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
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater(optimizer))
                .l2(model.l2())
                .list();
        int previous = inputs;
        List<LayerSpec> specs = model.layers();
        for (LayerSpec spec : specs) {
            if (spec.type() == LayerType.OUTPUT) {
                layers.layer(new OutputLayer.Builder(loss(spec.loss()))
                        .nIn(previous).nOut(spec.units())
                        .activation(activation(spec.activation()))
                        .weightInit(weightInit(spec.weightInit()))
                        .build());
            } else {
                layers.layer(new DenseLayer.Builder()
                        .nIn(previous).nOut(spec.units())
                        .activation(activation(spec.activation()))
                        .weightInit(weightInit(spec.weightInit()))
                        .build());
            }
            previous = spec.units();
        }
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
        Averaging averaging = training.averaging() == AveragingMode.PARAMETERS
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

    static LossFunctions.LossFunction loss(Loss loss) {
        return switch (loss) {
            case MSE -> LossFunctions.LossFunction.MSE;
            case MAE -> LossFunctions.LossFunction.MEAN_ABSOLUTE_ERROR;
            case BCE -> LossFunctions.LossFunction.XENT;
            case MCXENT -> LossFunctions.LossFunction.MCXENT;
        };
    }

    static org.deeplearning4j.nn.weights.WeightInit weightInit(WeightInit init) {
        return switch (init) {
            case XAVIER -> org.deeplearning4j.nn.weights.WeightInit.XAVIER;
            case HE -> org.deeplearning4j.nn.weights.WeightInit.RELU;
        };
    }
}
