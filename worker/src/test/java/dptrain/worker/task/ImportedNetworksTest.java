package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.testing.ReferenceTraining;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * Networks beyond plain stacks, as {@code model.dl4j_json} and the sparse loss bring them: a
 * computation graph with a residual connection trains with 2 ranks exactly as one process does,
 * and sparse (class-index) labels train exactly like one-hot labels.
 */
class ImportedNetworksTest {

    private static final long SEED = 5;
    private static final long[] SHARDS = {83, 60};
    private static final int BATCH = 16;
    private static final int EPOCHS = 3;

    /** input -> dense(16) -> dense(16) + (skip from the first dense) -> softmax: a residual block. */
    static String residualGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("first", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("second", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "first")
                .addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "first", "second")
                .addLayer("out", new OutputLayer.Builder(new LossMCXENT()).nOut(TinyNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build(), "residual")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(TinyNetworks.INPUTS))
                .build();
        return conf.toJson();
    }

    @Test
    void residualGraphOnTwoRanksEqualsSingleProcessTraining() throws Exception {
        String json = residualGraph();
        ShardBlock[] blocks = blocks();
        NetworkState start = NetworkState.initial(json);
        ComputationGraph reference = (ComputationGraph) start.restore(json).model();
        NetworkState end = train(json, start, blocks, TinyNetworks.CLASSES);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            ReferenceTraining.fitEpoch(reference, blocks, new BatchPlan(SHARDS, BATCH, SEED, epoch),
                    TinyNetworks.CLASSES);
        }
        assertEquals(reference.getConfiguration().getIterationCount(), end.iteration());
        ReferenceTraining.assertClose(reference.params().toFloatVector(), end.params(), 1e-5);
        ReferenceTraining.assertClose(reference.getUpdater().getStateViewArray().toFloatVector(), end.updaterState(),
                1e-5);
    }

    @Test
    void sparseLabelsTrainExactlyLikeOneHotLabels() throws Exception {
        String oneHot = stack(new LossMCXENT());
        String sparse = stack(new LossSparseMCXENT());
        ShardBlock[] blocks = blocks();
        NetworkState viaOneHot = train(oneHot, NetworkState.initial(oneHot), blocks, TinyNetworks.CLASSES);
        NetworkState viaSparse = train(sparse, NetworkState.initial(sparse), blocks, TinyNetworks.CLASSES);
        ReferenceTraining.assertClose(viaOneHot.params(), viaSparse.params(), 1e-6);
        // and the parameters moved: the comparison is not between two untouched initialisations
        float[] initial = NetworkState.initial(oneHot).params();
        double moved = 0;
        for (int i = 0; i < initial.length; i++) {
            moved = Math.max(moved, Math.abs(initial[i] - viaSparse.params()[i]));
        }
        assertEquals(true, moved > 0.05, "largest parameter change " + moved);
    }

    private static String stack(ILossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(TinyNetworks.INPUTS).nOut(10).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(10).nOut(TinyNetworks.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        return conf.toJson();
    }

    private static ShardBlock[] blocks() {
        return new ShardBlock[] {TinyNetworks.block((int) SHARDS[0], 31), TinyNetworks.block((int) SHARDS[1], 32)};
    }

    /** {@link #EPOCHS} epochs on two ranks (threads); checks the ranks agree after each. */
    private static NetworkState train(String json, NetworkState state, ShardBlock[] blocks, int classes)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                EpochPlan plan = new EpochPlan(json, state, SEED, BATCH, SHARDS, classes, new byte[32],
                        "imported/epoch" + epoch, 30);
                Collective[] group = SharedMemoryCollective.group(2);
                List<Future<EpochReport>> futures = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    int rank = r;
                    futures.add(pool.submit(() -> {
                        try (Collective collective = group[rank]) {
                            return EpochRunner.run(plan, rank, blocks[rank], collective);
                        }
                    }));
                }
                EpochReport first = futures.get(0).get(120, TimeUnit.SECONDS);
                EpochReport second = futures.get(1).get(120, TimeUnit.SECONDS);
                assertEquals(first.paramsFingerprint(), second.paramsFingerprint(), "ranks differ after epoch " + epoch);
                state = first.end();
            }
            return state;
        } finally {
            pool.shutdownNow();
        }
    }
}
