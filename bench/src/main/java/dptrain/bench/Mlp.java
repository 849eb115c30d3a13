package dptrain.bench;

import org.deeplearning4j.eval.Evaluation;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The benchmark model, built the way dptrain's {@code NetworkFactory} builds
 * {@code conf/fashion-mnist-mlp.yaml}: 784-256(relu)-128(relu)-10(softmax, mcxent), He
 * initialisation for the relu layers, Xavier for the output, Adam(0.001), float32, seed 42.
 */
final class Mlp {

    static final long SEED = 42;
    static final int[] LAYERS = {FashionMnist.FEATURES, 256, 128, FashionMnist.CLASSES};

    private Mlp() {
    }

    static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.001, 0.9, 0.999, 1e-8))
                .list()
                .layer(new DenseLayer.Builder().nIn(LAYERS[0]).nOut(LAYERS[1])
                        .activation(Activation.RELU).weightInit(WeightInit.RELU).build())
                .layer(new DenseLayer.Builder().nIn(LAYERS[1]).nOut(LAYERS[2])
                        .activation(Activation.RELU).weightInit(WeightInit.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(LAYERS[2]).nOut(LAYERS[3])
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build())
                .build();
    }

    /** Weights only (no biases): the entries that take part in the matrix products. */
    static long weightCount() {
        long count = 0;
        for (int i = 0; i + 1 < LAYERS.length; i++) {
            count += (long) LAYERS[i] * LAYERS[i + 1];
        }
        return count;
    }

    /** Test accuracy of {@code net}, in batches of 1000 rows. */
    static double accuracy(MultiLayerNetwork net, FashionMnist test) {
        Evaluation evaluation = new Evaluation(FashionMnist.CLASSES);
        int[] order = test.identityOrder();
        for (DataSet batch : test.batches(order, 1000)) {
            evaluation.eval(batch.getLabels(), net.output(batch.getFeatures(), false));
        }
        return evaluation.accuracy();
    }
}
