package dptrain.worker.testing;

import dptrain.worker.data.ShardBlock;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks and data sets shared by the worker tests. */
public final class TinyNetworks {

    public static final int INPUTS = 12;
    public static final int CLASSES = 3;

    private TinyNetworks() {
    }

    /** A 12-16-8-3 classifier (tanh, relu, softmax) with optional L2, as DL4J JSON. */
    public static String classifier(IUpdater updater, double l2, long seed) {
        return classifier(updater, l2, seed, GradientNormalization.None, 1);
    }

    /** The classifier with DL4J's own (per-layer or element-wise) gradient normalisation. */
    public static String classifier(IUpdater updater, double l2, long seed, GradientNormalization normalization,
                                    double threshold) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .l2(l2)
                .weightInit(WeightInit.XAVIER)
                .gradientNormalization(normalization)
                .gradientNormalizationThreshold(threshold)
                .list()
                .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(16).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        return conf.toJson();
    }

    /**
     * A computation graph with a residual block: input, dense(16), dense(16) added to the first
     * dense's output (an {@code ElementWiseVertex} add), softmax output with {@code loss}; Adam.
     */
    public static String residualGraph(ILossFunction loss, int inputs, int classes, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("first", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("second", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "first")
                .addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "first", "second")
                .addLayer("out", new OutputLayer.Builder(loss).nOut(classes).activation(Activation.SOFTMAX).build(),
                        "residual")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(inputs))
                .build();
        return conf.toJson();
    }

    /**
     * Softmax regression, a 12-3 single-layer classifier: DL4J's per-layer L2 clipping of it is
     * clipping by the global norm, an independent reference for dptrain's own.
     */
    public static String softmaxRegression(IUpdater updater, long seed, GradientNormalization normalization,
                                           double threshold) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .gradientNormalization(normalization)
                .gradientNormalizationThreshold(threshold)
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(INPUTS).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build()
                .toJson();
    }

    /** {@code rows} random rows whose class depends on the features (so training makes progress). */
    public static ShardBlock block(int rows, long seed) {
        Random random = new Random(seed);
        float[] features = new float[rows * INPUTS];
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            float sum = 0;
            for (int c = 0; c < INPUTS; c++) {
                float value = (float) random.nextGaussian();
                features[r * INPUTS + c] = value;
                sum += value * (c % 3 - 1);
            }
            labels[r] = sum < -1 ? 0 : sum < 1 ? 1 : 2;
        }
        return new ShardBlock(rows, INPUTS, 1, features, labels);
    }
}
