package dptrain.worker.step;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * The one view of a DL4J network the trainer needs, for both a {@link MultiLayerNetwork} and a
 * {@link ComputationGraph} with one input and one output (so {@code model.dl4j_json} can train
 * anything DL4J can express). Configurations travel as DL4J JSON; which kind it is follows from
 * the JSON.
 */
public abstract sealed class Network permits Network.Stack, Network.Graph {

    /** Builds (uninitialised) the network a DL4J configuration JSON describes. */
    public static Network fromJson(String configurationJson) {
        if (isGraph(configurationJson)) {
            return new Graph(new ComputationGraph(ComputationGraphConfiguration.fromJson(configurationJson)));
        }
        return new Stack(new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson)));
    }

    /** Whether the JSON is a {@code ComputationGraphConfiguration} (it has vertices). */
    public static boolean isGraph(String configurationJson) {
        return configurationJson.contains("\"vertices\"");
    }

    public static Network of(Model model) {
        if (model instanceof ComputationGraph graph) {
            return new Graph(graph);
        }
        return new Stack((MultiLayerNetwork) model);
    }

    /** The DL4J model itself, e.g. for {@code ModelSerializer}. */
    public abstract Model model();

    /** The layers in parameter order (a graph's layers in its topological order). */
    public abstract org.deeplearning4j.nn.api.Layer[] layers();

    /**
     * Whether the output layer's loss takes the class index itself as its label (one column, DL4J's
     * {@link LossSparseMCXENT}) rather than a one-hot row; batches are then built with index labels.
     */
    public boolean sparseLabels() {
        org.deeplearning4j.nn.api.Layer output = outputLayer();
        return output != null && output.conf().getLayer() instanceof BaseOutputLayer conf
                && conf.getLossFn() instanceof LossSparseMCXENT;
    }

    /** The (first) output layer, or {@code null} if the network has none. */
    protected abstract org.deeplearning4j.nn.api.Layer outputLayer();

    /** Initialises with fresh weights drawn from the configuration's seed. */
    public abstract void init();

    /** Initialises with {@code params} ({@code [1, numParams]}) as the parameter array itself. */
    public abstract void init(INDArray params);

    public long numParams() {
        return model().numParams();
    }

    public INDArray params() {
        return model().params();
    }

    /** The flattened gradient view the backward pass writes and the updater reads. */
    public abstract INDArray flattenedGradients();

    /** Forward and backward pass on one batch; leaves the gradient sums in the view. */
    public abstract void computeGradientAndScore(INDArray features, INDArray labels);

    /** The score of the last backward pass: mean loss over the batch plus regularisation. */
    public double score() {
        return model().score();
    }

    public abstract double regularizationScore();

    public Gradient gradient() {
        return model().gradient();
    }

    public abstract BaseMultiLayerUpdater<?> updater();

    /**
     * The DL4J updater step on the gradient in the view (divided by {@code batchSize}, L2,
     * Adam...), then {@code params -= update}: exactly what DL4J's own SGD optimizer does.
     */
    public void applyUpdate(int batchSize, int iteration, int epoch) {
        computeUpdate(batchSize, iteration, epoch);
        subtractUpdate(iteration);
    }

    /** The first half of {@link #applyUpdate}: afterwards the gradient view holds the update. */
    public void computeUpdate(int batchSize, int iteration, int epoch) {
        updater().update(gradient(), iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
    }

    /** The second half of {@link #applyUpdate}: {@code params -= update}, and the iteration is done. */
    public void subtractUpdate(int iteration) {
        params().subi(flattenedGradients());
        finishIteration(iteration);
    }

    /** Counts the iteration as done, and every {@link TinyValues#FLUSH_EVERY} iterations flushes the updater state. */
    void finishIteration(int iteration) {
        setIterationCount(iteration + 1);
        if (TinyValues.due(iteration)) {
            TinyValues.flush(updater().getStateViewArray());
        }
    }

    /**
     * The learning rate the updater uses at {@code iteration} (schedule included): that of the
     * first updater block that has one (blocks without, such as batch-norm statistics, are skipped).
     */
    public double learningRate(int iteration, int epoch) {
        for (UpdaterBlock block : updater().getUpdaterBlocks()) {
            IUpdater config = block.getGradientUpdater().getConfig();
            if (config.hasLearningRate()) {
                return config.getLearningRate(iteration, epoch);
            }
        }
        return Double.NaN;
    }

    public abstract int iterationCount();

    public abstract void setIterationCount(int iterations);

    public abstract int epochCount();

    public abstract void setEpochCount(int epochs);

    /** Network output for a batch, in inference mode. */
    public abstract INDArray output(INDArray features);

    /** Per-example data loss (no regularisation), a column vector. */
    public abstract INDArray scoreExamples(INDArray features, INDArray labels);

    /**
     * Every layer's activations for a batch, in inference mode and layer order (DL4J's
     * {@code feedForward}), for monitoring: activation statistics and dead ReLU units.
     */
    public abstract List<LayerActivations> activations(INDArray features);

    /**
     * @param layer  the layer index (stack) or vertex name (graph), as in the updater's blocks
     * @param relu   whether the layer's activation function is ReLU
     * @param values the activations, one row per example
     */
    public record LayerActivations(String layer, boolean relu, INDArray values) {
    }

    static boolean isRelu(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return layer instanceof BaseLayer base && base.getActivationFn() instanceof ActivationReLU;
    }

    static final class Stack extends Network {
        private final MultiLayerNetwork net;

        Stack(MultiLayerNetwork net) {
            this.net = net;
        }

        @Override
        public Model model() {
            return net;
        }

        @Override
        public org.deeplearning4j.nn.api.Layer[] layers() {
            return net.getLayers();
        }

        @Override
        protected org.deeplearning4j.nn.api.Layer outputLayer() {
            return net.getLayers().length == 0 ? null : net.getOutputLayer();
        }

        @Override
        public void init() {
            net.init();
        }

        @Override
        public void init(INDArray params) {
            net.init(params, false);
        }

        @Override
        public INDArray flattenedGradients() {
            return net.getFlattenedGradients();
        }

        @Override
        public void computeGradientAndScore(INDArray features, INDArray labels) {
            net.setInput(features);
            net.setLabels(labels);
            net.computeGradientAndScore();
        }

        @Override
        public double regularizationScore() {
            return net.calcRegularizationScore(true);
        }

        @Override
        public BaseMultiLayerUpdater<?> updater() {
            return (BaseMultiLayerUpdater<?>) net.getUpdater(true);
        }

        @Override
        public int iterationCount() {
            return net.getLayerWiseConfigurations().getIterationCount();
        }

        @Override
        public void setIterationCount(int iterations) {
            net.getLayerWiseConfigurations().setIterationCount(iterations);
        }

        @Override
        public int epochCount() {
            return net.getLayerWiseConfigurations().getEpochCount();
        }

        @Override
        public void setEpochCount(int epochs) {
            net.getLayerWiseConfigurations().setEpochCount(epochs);
        }

        @Override
        public INDArray output(INDArray features) {
            return net.output(features, false);
        }

        @Override
        public INDArray scoreExamples(INDArray features, INDArray labels) {
            return net.scoreExamples(new DataSet(features, labels), false);
        }

        @Override
        public List<LayerActivations> activations(INDArray features) {
            List<INDArray> all = net.feedForward(features, false);
            List<LayerActivations> layers = new ArrayList<>();
            for (int i = 0; i < net.getnLayers(); i++) {
                layers.add(new LayerActivations(String.valueOf(i), isRelu(net.getLayer(i).conf().getLayer()),
                        all.get(i + 1)));
            }
            return layers;
        }
    }

    static final class Graph extends Network {
        private final ComputationGraph graph;

        Graph(ComputationGraph graph) {
            if (graph.getConfiguration().getNetworkInputs().size() != 1
                    || graph.getConfiguration().getNetworkOutputs().size() != 1) {
                throw new IllegalArgumentException("a computation graph needs exactly one input and one output, got "
                        + graph.getConfiguration().getNetworkInputs() + " and "
                        + graph.getConfiguration().getNetworkOutputs());
            }
            this.graph = graph;
        }

        @Override
        public Model model() {
            return graph;
        }

        @Override
        public org.deeplearning4j.nn.api.Layer[] layers() {
            return graph.getLayers();
        }

        @Override
        protected org.deeplearning4j.nn.api.Layer outputLayer() {
            return graph.getOutputLayer(0);
        }

        @Override
        public void init() {
            graph.init();
        }

        @Override
        public void init(INDArray params) {
            graph.init(params, false);
        }

        @Override
        public INDArray flattenedGradients() {
            return graph.getGradientsViewArray();
        }

        @Override
        public void computeGradientAndScore(INDArray features, INDArray labels) {
            graph.setInputs(features);
            graph.setLabels(labels);
            graph.computeGradientAndScore();
        }

        @Override
        public double regularizationScore() {
            return graph.calcRegularizationScore(true);
        }

        @Override
        public BaseMultiLayerUpdater<?> updater() {
            return graph.getUpdater(true);
        }

        @Override
        public int iterationCount() {
            return graph.getConfiguration().getIterationCount();
        }

        @Override
        public void setIterationCount(int iterations) {
            graph.getConfiguration().setIterationCount(iterations);
        }

        @Override
        public int epochCount() {
            return graph.getConfiguration().getEpochCount();
        }

        @Override
        public void setEpochCount(int epochs) {
            graph.getConfiguration().setEpochCount(epochs);
        }

        @Override
        public INDArray output(INDArray features) {
            return graph.output(false, features)[0];
        }

        @Override
        public INDArray scoreExamples(INDArray features, INDArray labels) {
            return graph.scoreExamples(new DataSet(features, labels), false);
        }

        @Override
        public List<LayerActivations> activations(INDArray features) {
            Map<String, INDArray> all = graph.feedForward(features, false);
            List<LayerActivations> layers = new ArrayList<>();
            for (int index : graph.topologicalSortOrder()) {
                GraphVertex vertex = graph.getVertices()[index];
                if (vertex.hasLayer()) {
                    layers.add(new LayerActivations(vertex.getVertexName(),
                            isRelu(vertex.getLayer().conf().getLayer()), all.get(vertex.getVertexName())));
                }
            }
            return layers;
        }
    }
}
