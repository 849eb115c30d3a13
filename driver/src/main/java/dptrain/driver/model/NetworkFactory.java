package dptrain.driver.model;

import dptrain.driver.config.Activation;
import dptrain.driver.config.LayerSpec;
import dptrain.driver.config.LayerType;
import dptrain.driver.config.Loss;
import dptrain.driver.config.ModelSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.WeightInit;
import dptrain.worker.step.Momentum;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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
        return layers.build();
    }

    public static IUpdater updater(OptimizerSpec spec) {
        return switch (spec.type()) {
            case SGD -> new Sgd(spec.learningRate());
            case MOMENTUM -> new Momentum(spec.learningRate(), spec.momentum());
            case NESTEROV -> new Nesterovs(spec.learningRate(), spec.momentum());
            case RMSPROP -> new RmsProp(spec.learningRate(), spec.rho(), spec.epsilon());
            case ADAM -> new Adam(spec.learningRate(), spec.beta1(), spec.beta2(), spec.epsilon());
        };
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
