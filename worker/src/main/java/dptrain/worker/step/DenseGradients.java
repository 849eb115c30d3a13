package dptrain.worker.step;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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
 * directly as matrix products into preallocated buffers and DL4J's own activation and loss
 * functions — the same maths as {@code MultiLayerNetwork.computeGradientAndScore()}, without its
 * per-call machinery (workspaces, preprocessors, listeners, validation), which costs more than
 * the arithmetic at the batch sizes a data-parallel worker sees.
 *
 * <p>On the CPU backend the pass runs on the arrays' host memory: the products by OpenBLAS
 * ({@link HostBlas}), bias, plain ReLU and bias gradients as Java loops, so a step of a ReLU MLP
 * with softmax cross-entropy allocates next to nothing (every ND4J op allocates descriptors and
 * native pointers, and the young collections they forced stalled the rank every other rank waits
 * for). Elsewhere (CUDA) the same pass runs as ND4J {@code gemm} and ops.
 *
 * <p>Writes the per-example gradient <em>sums</em> into the network's flattened gradient view,
 * exactly where DL4J's backward pass puts them, and from there into the all-reduce buffer (the
 * {@link ComputePass} contract), so the all-reduce and either update work unchanged. Used only
 * when every layer is a {@code DenseLayer} or an {@code OutputLayer} without dropout, weight noise
 * or layer normalisation ({@link #forNetwork}); anything else goes through DL4J.
 */
final class DenseGradients implements ComputePass {

    private final MultiLayerNetwork net;
    private final int length;
    private final int layers;
    /** Whether the pass runs on host memory (the CPU backend, float parameters). */
    private final boolean host;
    private final Operand[] weights;
    private final Operand[] biases;
    private final Operand[] weightGradients;
    private final Operand[] biasGradients;
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
        this.net = net;
        length = Math.toIntExact(net.numParams());
        layers = net.getnLayers();
        weights = new Operand[layers];
        biases = new Operand[layers];
        weightGradients = new Operand[layers];
        biasGradients = new Operand[layers];
        activations = new IActivation[layers];
        plainRelu = new boolean[layers];
        widths = new long[layers + 1];
        Gradient gradient = net.gradient();
        INDArray[] weightViews = new INDArray[layers];
        INDArray[] biasViews = new INDArray[layers];
        INDArray[] weightGradientViews = new INDArray[layers];
        INDArray[] biasGradientViews = new INDArray[layers];
        for (int i = 0; i < layers; i++) {
            Layer layer = net.getLayer(i);
            weightViews[i] = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            biasViews[i] = layer.getParam(DefaultParamInitializer.BIAS_KEY);
            weightGradientViews[i] = gradient.getGradientFor(i + "_" + DefaultParamInitializer.WEIGHT_KEY);
            biasGradientViews[i] = gradient.getGradientFor(i + "_" + DefaultParamInitializer.BIAS_KEY);
            activations[i] = ((BaseLayer) layer.conf().getLayer()).getActivationFn();
            plainRelu[i] = new ActivationReLU().equals(activations[i]);
            widths[i] = weightViews[i].size(0);
            widths[i + 1] = weightViews[i].size(1);
        }
        // these views are read and written in place, never through a copy: all must be BLAS-readable
        host = HostBlas.available() && Stream.of(weightViews, biasViews, weightGradientViews, biasGradientViews)
                .flatMap(Arrays::stream).allMatch(view -> HostBlas.Matrix.of(view) != null);
        for (int i = 0; i < layers; i++) {
            weights[i] = operand(weightViews[i]);
            biases[i] = operand(biasViews[i]);
            weightGradients[i] = operand(weightGradientViews[i]);
            biasGradients[i] = operand(biasGradientViews[i]);
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

    @Override
    public double gradientSums(INDArray features, INDArray labels, float[] sums) {
        double lossSum = lossSum(features, labels);
        HostMemory.copyOut(net.getFlattenedGradients(), sums, 0, length);
        return lossSum;
    }

    /**
     * Forward and backward pass over one part: leaves the gradient sums in the gradient view and
     * returns the data loss summed over the rows (no regularisation), as DL4J computes it.
     */
    double lossSum(INDArray features, INDArray labels) {
        long rows = features.size(0);
        Buffers b = buffers.computeIfAbsent(rows, this::allocate);
        Operand networkInput = operand(features);
        Operand input = networkInput;
        for (int i = 0; i < layers; i++) {
            multiply(input, false, weights[i], false, b.preActivation[i]);
            addBiasAndActivate(i, b.preActivation[i], i < layers - 1 ? b.activation[i] : null);
            input = b.activation[i];
        }
        INDArray outputPreActivation = b.preActivation[layers - 1].array();
        IActivation outputActivation = activations[layers - 1];
        double lossSum;
        Operand delta;
        if (!Double.isNaN(hostSoftmaxClip)) {
            delta = b.outputDelta;
            lossSum = softmaxCrossEntropy(outputPreActivation, labels, delta.array(), b.scratch);
        } else {
            lossSum = loss.computeScore(labels, outputPreActivation, outputActivation, null, false);
            delta = operand(loss.computeGradient(labels, outputPreActivation, outputActivation, null));
        }
        for (int i = layers - 1; i >= 0; i--) {
            Operand layerInput = i == 0 ? networkInput : b.activation[i - 1];
            sumRows(delta, biasGradients[i]);
            multiply(layerInput, true, delta, false, weightGradients[i]);
            if (i > 0) {
                multiply(delta, false, weights[i], true, b.inputGradient[i]);
                delta = backprop(i - 1, b.preActivation[i - 1], b.activation[i - 1], b.inputGradient[i]);
            }
        }
        return lossSum;
    }

    /** {@code c = op(a) * op(b)}: OpenBLAS on the host memory where it can, else ND4J's gemm. */
    private void multiply(Operand a, boolean transposeA, Operand b, boolean transposeB, Operand c) {
        if (host) {
            HostBlas.multiply(a.host(), transposeA, b.host(), transposeB, c.host());
        } else {
            Nd4j.gemm(a.array(), b.array(), c.array(), transposeA, transposeB, 1.0, 0.0);
        }
    }

    /**
     * Adds layer {@code layer}'s bias to its pre-activation and, unless {@code activation} is null
     * (the output layer, whose activation the loss applies), writes the activation. On the host a
     * plain ReLU is {@code x < 0 ? 0 : x}, libnd4j's own (NaN stays NaN), in the same pass.
     */
    private void addBiasAndActivate(int layer, Operand preActivation, Operand activation) {
        boolean reluOnHost = host && activation != null && plainRelu[layer];
        if (host) {
            HostBlas.Matrix pre = preActivation.host();
            HostBlas.Matrix bias = biases[layer].host();
            HostBlas.Matrix out = reluOnHost ? activation.host() : null;
            for (int c = 0; c < pre.cols(); c++) {
                float add = bias.floats().get(bias.at(0, c));
                for (int r = 0; r < pre.rows(); r++) {
                    float x = pre.floats().get(pre.at(r, c)) + add;
                    pre.floats().put(pre.at(r, c), x);
                    if (reluOnHost) {
                        out.floats().put(out.at(r, c), x < 0 ? 0f : x);
                    }
                }
            }
        } else {
            preActivation.array().addiRowVector(biases[layer].array());
        }
        if (activation != null && !reluOnHost) {
            activation.array().assign(preActivation.array());
            activations[layer].getActivation(activation.array(), true);
        }
    }

    /** The bias gradient: {@code delta}'s column sums (accumulated in double on the host). */
    private void sumRows(Operand delta, Operand biasGradient) {
        if (!host) {
            delta.array().sum(biasGradient.array(), 0);
            return;
        }
        HostBlas.Matrix d = delta.host();
        HostBlas.Matrix sums = biasGradient.host();
        for (int c = 0; c < d.cols(); c++) {
            double sum = 0;
            for (int r = 0; r < d.rows(); r++) {
                sum += d.floats().get(d.at(r, c));
            }
            sums.floats().put(sums.at(0, c), (float) sum);
        }
    }

    /**
     * DL4J's {@code LossMCXENT} after a softmax, for a {@code rows x classes} part: returns the loss
     * summed over the rows, {@code -sum(labels * log(clip(softmax(pre))))}, and writes the gradient
     * at the pre-activation, {@code softmax(pre) - labels} (unclipped, as DL4J's), into
     * {@code delta}. A few hundred numbers: one pass over Java arrays instead of about ten ND4J ops,
     * each of which allocates its result and leaves native pointers for the garbage collector.
     */
    private double softmaxCrossEntropy(INDArray pre, INDArray labels, INDArray delta, float[][] scratch) {
        int rows = (int) pre.size(0);
        int classes = (int) pre.size(1);
        float[] z = scratch[0];
        float[] y = scratch[1];
        HostMemory.floats(pre).get(z, 0, rows * classes); // 'f': (r, c) at c * rows + r
        INDArray labelsC = labels.ordering() == 'c' && labels.offset() == 0 && !labels.isView() ? labels
                : labels.dup('c');
        HostMemory.floats(labelsC).get(y, 0, rows * classes); // 'c': (r, c) at r * classes + c
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
        HostMemory.floats(delta).put(z, 0, rows * classes);
        return lossSum;
    }

    /**
     * The delta of layer {@code layer} from the gradient at its output. For plain ReLU, DL4J's
     * backprop is a custom op that allocates its result (about 35 us for 32 x 256); the same
     * {@code gradient * (pre > 0 ? 1 : 0)} on the host (where {@code pre > 0} exactly when the
     * activation is), or as two legacy ND4J ops in place, costs a fraction of that. Overwrites
     * {@code gradient}, and on the ND4J path {@code preActivation} (not needed after this).
     */
    private Operand backprop(int layer, Operand preActivation, Operand activation, Operand gradient) {
        if (plainRelu[layer] && host) {
            HostBlas.Matrix g = gradient.host();
            HostBlas.Matrix a = activation.host();
            for (int c = 0; c < g.cols(); c++) {
                for (int r = 0; r < g.rows(); r++) {
                    int at = g.at(r, c);
                    g.floats().put(at, g.floats().get(at) * (a.floats().get(a.at(r, c)) > 0 ? 1f : 0f));
                }
            }
            return gradient;
        }
        if (plainRelu[layer]) {
            Nd4j.getExecutioner().exec(new Step(preActivation.array(), preActivation.array(), 0.0));
            gradient.array().muli(preActivation.array());
            return gradient;
        }
        return operand(activations[layer].backprop(preActivation.array(), gradient.array()).getFirst());
    }

    /**
     * An array with its host matrix when this pass runs on the host; an array BLAS cannot read as it
     * is (no unit stride) is first copied into column-major order.
     */
    private Operand operand(INDArray array) {
        if (!host) {
            return new Operand(array, null);
        }
        HostBlas.Matrix matrix = HostBlas.Matrix.of(array);
        if (matrix == null) {
            INDArray copy = array.dup('f');
            return new Operand(copy, HostBlas.Matrix.of(copy));
        }
        return new Operand(array, matrix);
    }

    private Buffers allocate(long rows) {
        Buffers b = new Buffers(layers);
        for (int i = 0; i < layers; i++) {
            b.preActivation[i] = operand(matrix(rows, widths[i + 1]));
            b.activation[i] = operand(matrix(rows, widths[i + 1]));
            b.inputGradient[i] = operand(matrix(rows, widths[i]));
        }
        if (!Double.isNaN(hostSoftmaxClip)) {
            int outputs = (int) widths[layers];
            b.outputDelta = operand(matrix(rows, outputs));
            b.scratch = new float[][] {new float[(int) rows * outputs], new float[(int) rows * outputs]};
        }
        return b;
    }

    /** An uninitialised column-major float matrix. */
    private static INDArray matrix(long rows, long cols) {
        return Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'f');
    }

    /** An ND4J array and, when the pass runs on the host, its {@link HostBlas.Matrix}. */
    private record Operand(INDArray array, HostBlas.Matrix host) {
    }

    /** Activations and their gradients for one part size (parts differ by at most a row). */
    private static final class Buffers {
        final Operand[] preActivation;
        final Operand[] activation;
        final Operand[] inputGradient;
        /** With the host softmax loss: the output delta, and scratch for pre-activations and labels. */
        Operand outputDelta;
        float[][] scratch;

        Buffers(int layers) {
            preActivation = new Operand[layers];
            activation = new Operand[layers];
            inputGradient = new Operand[layers];
        }
    }
}
