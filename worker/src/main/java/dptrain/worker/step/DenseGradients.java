package dptrain.worker.step;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The backward pass of a plain stack of dense layers (the MLPs most jobs train), written
 * directly with ND4J {@code gemm} into preallocated buffers and DL4J's own activation and loss
 * functions — the same maths as {@code MultiLayerNetwork.computeGradientAndScore()}, without its
 * per-call machinery (workspaces, preprocessors, listeners, validation), which costs more than
 * the arithmetic at the batch sizes a data-parallel worker sees.
 *
 * <p>Writes the per-example gradient <em>sums</em> into the network's flattened gradient view,
 * exactly where DL4J's backward pass puts them, so the all-reduce and DL4J's updater work
 * unchanged. Used only when every layer is a {@code DenseLayer} or an {@code OutputLayer}
 * without dropout, weight noise or layer normalisation ({@link #forNetwork}); anything else goes
 * through DL4J.
 */
final class DenseGradients {

    private final int layers;
    private final INDArray[] weights;
    private final INDArray[] biases;
    private final INDArray[] weightGradients;
    private final INDArray[] biasGradients;
    private final IActivation[] activations;
    /** Layers whose activation is DL4J's ReLU without slope, threshold or cap. */
    private final boolean[] plainRelu;
    private final ILossFunction loss;
    /**
     * DL4J's softmax clipping epsilon when the output is softmax with plain multi-class
     * cross-entropy (no weights) on the CPU backend, computed on the host
     * ({@link #softmaxCrossEntropy}); NaN otherwise.
     */
    private final double hostSoftmaxClip;
    private final long[] widths;
    private final Map<Long, Buffers> buffers = new HashMap<>();

    private DenseGradients(MultiLayerNetwork net) {
        layers = net.getnLayers();
        weights = new INDArray[layers];
        biases = new INDArray[layers];
        weightGradients = new INDArray[layers];
        biasGradients = new INDArray[layers];
        activations = new IActivation[layers];
        plainRelu = new boolean[layers];
        widths = new long[layers + 1];
        Gradient gradient = net.gradient();
        for (int i = 0; i < layers; i++) {
            Layer layer = net.getLayer(i);
            BaseLayer conf = (BaseLayer) layer.conf().getLayer();
            weights[i] = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            biases[i] = layer.getParam(DefaultParamInitializer.BIAS_KEY);
            weightGradients[i] = gradient.getGradientFor(i + "_" + DefaultParamInitializer.WEIGHT_KEY);
            biasGradients[i] = gradient.getGradientFor(i + "_" + DefaultParamInitializer.BIAS_KEY);
            activations[i] = conf.getActivationFn();
            plainRelu[i] = new ActivationReLU().equals(activations[i]);
            widths[i] = weights[i].size(0);
            widths[i + 1] = weights[i].size(1);
        }
        loss = ((OutputLayer) net.getLayer(layers - 1).conf().getLayer()).getLossFn();
        // only where ND4J's arrays live in host memory: on the CUDA backend the loss stays DL4J's
        hostSoftmaxClip = Nd4j.getEnvironment().isCPU() && loss.getClass() == LossMCXENT.class
                && ((LossMCXENT) loss).getWeights() == null && activations[layers - 1] instanceof ActivationSoftmax
                ? ((LossMCXENT) loss).getSoftmaxClipEps() : Double.NaN;
    }

    /**
     * The fast path for {@code network}, if it is a stack this class handles exactly like DL4J.
     * The network must already have run one DL4J backward pass (so its gradient views exist).
     */
    static Optional<DenseGradients> forNetwork(Network network) {
        if (!(network.model() instanceof MultiLayerNetwork net) || net.gradient() == null) {
            return Optional.empty();
        }
        List<org.deeplearning4j.nn.conf.NeuralNetConfiguration> confs = net.getLayerWiseConfigurations().getConfs();
        for (int i = 0; i < confs.size(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer layer = confs.get(i).getLayer();
            boolean last = i == confs.size() - 1;
            boolean dense = last ? layer.getClass() == OutputLayer.class : layer.getClass() == DenseLayer.class;
            if (!dense || !plain((BaseLayer) layer) || net.getLayerWiseConfigurations().getInputPreProcess(i) != null) {
                return Optional.empty();
            }
            if (layer instanceof DenseLayer d && d.hasLayerNorm()) {
                return Optional.empty();
            }
            if (net.getLayer(i).getParam(DefaultParamInitializer.BIAS_KEY) == null) {
                return Optional.empty();
            }
        }
        if (net.getGradientsViewArray() == null) {
            return Optional.empty();
        }
        return Optional.of(new DenseGradients(net));
    }

    private static boolean plain(BaseLayer layer) {
        return layer.getIDropout() == null && layer.getWeightNoise() == null
                && (layer.getConstraints() == null || layer.getConstraints().isEmpty());
    }

    /**
     * Forward and backward pass over one part: leaves the gradient sums in the gradient view and
     * returns the data loss summed over the rows (no regularisation), as DL4J computes it.
     */
    double lossSum(INDArray features, INDArray labels) {
        long rows = features.size(0);
        Buffers b = buffers.computeIfAbsent(rows, this::allocate);
        INDArray input = features;
        for (int i = 0; i < layers; i++) {
            Nd4j.gemm(input, weights[i], b.preActivation[i], false, false, 1.0, 0.0);
            b.preActivation[i].addiRowVector(biases[i]);
            if (i < layers - 1) {
                b.activation[i].assign(b.preActivation[i]);
                activations[i].getActivation(b.activation[i], true);
                input = b.activation[i];
            }
        }
        INDArray outputPreActivation = b.preActivation[layers - 1];
        IActivation outputActivation = activations[layers - 1];
        double lossSum;
        INDArray delta;
        if (!Double.isNaN(hostSoftmaxClip)) {
            delta = b.outputDelta;
            lossSum = softmaxCrossEntropy(outputPreActivation, labels, delta, b.host);
        } else {
            lossSum = loss.computeScore(labels, outputPreActivation, outputActivation, null, false);
            delta = loss.computeGradient(labels, outputPreActivation, outputActivation, null);
        }
        for (int i = layers - 1; i >= 0; i--) {
            INDArray layerInput = i == 0 ? features : b.activation[i - 1];
            delta.sum(biasGradients[i], 0);
            Nd4j.gemm(layerInput, delta, weightGradients[i], true, false, 1.0, 0.0);
            if (i > 0) {
                Nd4j.gemm(delta, weights[i], b.inputGradient[i], false, true, 1.0, 0.0);
                delta = backprop(i - 1, b.preActivation[i - 1], b.inputGradient[i]);
            }
        }
        return lossSum;
    }

    /**
     * DL4J's {@code LossMCXENT} after a softmax, for a {@code rows x classes} part: returns the loss
     * summed over the rows, {@code -sum(labels * log(clip(softmax(pre))))}, and writes the gradient
     * at the pre-activation, {@code softmax(pre) - labels} (unclipped, as DL4J's), into
     * {@code delta}. A few hundred numbers: one pass over Java arrays instead of about ten ND4J ops,
     * each of which allocates its result and leaves native pointers for the garbage collector.
     */
    private double softmaxCrossEntropy(INDArray pre, INDArray labels, INDArray delta, float[][] host) {
        int rows = (int) pre.size(0);
        int classes = (int) pre.size(1);
        float[] z = host[0];
        float[] y = host[1];
        TrainingStep.floats(pre).get(z, 0, rows * classes); // 'f': (r, c) at c * rows + r
        INDArray labelsC = labels.ordering() == 'c' && labels.offset() == 0 && !labels.isView() ? labels
                : labels.dup('c');
        TrainingStep.floats(labelsC).get(y, 0, rows * classes); // 'c': (r, c) at r * classes + c
        double lossSum = 0;
        float lower = (float) hostSoftmaxClip;
        float upper = (float) (1.0 - hostSoftmaxClip);
        for (int r = 0; r < rows; r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z[c * rows + r]);
            }
            float sum = 0;
            for (int c = 0; c < classes; c++) {
                float e = (float) Math.exp(z[c * rows + r] - max);
                z[c * rows + r] = e;
                sum += e;
            }
            for (int c = 0; c < classes; c++) {
                float p = z[c * rows + r] / sum;
                float label = y[r * classes + c];
                if (label != 0) {
                    lossSum -= label * Math.log(Math.min(Math.max(p, lower), upper));
                }
                z[c * rows + r] = p - label;
            }
        }
        TrainingStep.floats(delta).put(z, 0, rows * classes);
        return lossSum;
    }

    /**
     * The delta of layer {@code layer} from the gradient at its output. For plain ReLU, DL4J's
     * backprop is a custom op that allocates its result (about 35 us for 32 x 256); the same
     * {@code gradient where pre > 0, else 0} as two legacy ops in place costs a fraction of that.
     * Overwrites {@code preActivation} (not needed after this) and {@code gradient}.
     */
    private INDArray backprop(int layer, INDArray preActivation, INDArray gradient) {
        if (plainRelu[layer]) {
            Nd4j.getExecutioner().exec(new Step(preActivation, preActivation, 0.0));
            return gradient.muli(preActivation);
        }
        return activations[layer].backprop(preActivation, gradient).getFirst();
    }

    private Buffers allocate(long rows) {
        Buffers b = new Buffers(layers);
        for (int i = 0; i < layers; i++) {
            b.preActivation[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, widths[i + 1]}, 'f');
            b.activation[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, widths[i + 1]}, 'f');
            b.inputGradient[i] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, widths[i]}, 'f');
        }
        if (!Double.isNaN(hostSoftmaxClip)) {
            int outputs = (int) widths[layers];
            b.outputDelta = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, outputs}, 'f');
            b.host = new float[][] {new float[(int) rows * outputs], new float[(int) rows * outputs]};
        }
        return b;
    }

    /** Activations and their gradients for one part size (parts differ by at most a row). */
    private static final class Buffers {
        final INDArray[] preActivation;
        final INDArray[] activation;
        final INDArray[] inputGradient;
        /** With the host softmax loss: the output delta, and scratch for pre-activations and labels. */
        INDArray outputDelta;
        float[][] host;

        Buffers(int layers) {
            preActivation = new INDArray[layers];
            activation = new INDArray[layers];
            inputGradient = new INDArray[layers];
        }
    }
}
