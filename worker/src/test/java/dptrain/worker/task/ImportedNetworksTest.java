package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.testing.ReferenceTraining;
import dptrain.worker.testing.TinyNetworks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
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

    @Test
    void residualGraphOnTwoRanksEqualsSingleProcessTraining() throws Exception {
        String json = TinyNetworks.residualGraph(new LossMCXENT(), TinyNetworks.INPUTS, TinyNetworks.CLASSES, SEED);
        ShardBlock[] blocks = blocks();
        NetworkState start = NetworkState.initial(json);
        ComputationGraph reference = (ComputationGraph) start.restore(json).model();
        NetworkState end = train(json, start, blocks);
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
        NetworkState viaOneHot = train(oneHot, NetworkState.initial(oneHot), blocks);
        NetworkState viaSparse = train(sparse, NetworkState.initial(sparse), blocks);
        ReferenceTraining.assertClose(viaOneHot.params(), viaSparse.params(), 1e-6);
        // and the parameters moved: the comparison is not between two untouched initialisations
        float[] initial = NetworkState.initial(oneHot).params();
        double moved = 0;
        for (int i = 0; i < initial.length; i++) {
            moved = Math.max(moved, Math.abs(initial[i] - viaSparse.params()[i]));
        }
        assertEquals(true, moved > 0.05, "largest parameter change " + moved);
    }

    @Test
    void dropoutTrainsReproduciblyWithTheRanksInStep() throws Exception {
        String withDropout = stack(new LossMCXENT(), 0.5);
        String without = stack(new LossMCXENT(), 0);
        ShardBlock[] blocks = blocks();
        NetworkState first = train(withDropout, NetworkState.initial(withDropout), blocks);
        NetworkState second = train(withDropout, NetworkState.initial(withDropout), blocks);
        assertArrayEquals(first.params(), second.params(), 0f, "same seed, same masks, same parameters");
        NetworkState plain = train(without, NetworkState.initial(without), blocks);
        double difference = 0;
        for (int i = 0; i < plain.params().length; i++) {
            difference = Math.max(difference, Math.abs(plain.params()[i] - first.params()[i]));
        }
        assertTrue(difference > 1e-3, "dropout changed nothing: " + difference);
    }

    private static String stack(ILossFunction loss) {
        return stack(loss, 0);
    }

    /** 12-10-3 with {@code dropout} (fraction dropped) on the output layer's inputs. */
    private static String stack(ILossFunction loss, double dropout) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(TinyNetworks.INPUTS).nOut(10).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(10).nOut(TinyNetworks.CLASSES)
                        .dropOut(dropout > 0 ? new Dropout(1 - dropout) : null)
                        .activation(Activation.SOFTMAX).build())
                .build();
        return conf.toJson();
    }

    private static ShardBlock[] blocks() {
        return new ShardBlock[] {TinyNetworks.block((int) SHARDS[0], 31), TinyNetworks.block((int) SHARDS[1], 32)};
    }

    /** {@link #EPOCHS} epochs on two ranks (threads); fails if the ranks differ after any. */
    private static NetworkState train(String json, NetworkState state, ShardBlock[] blocks) throws Exception {
        return RankThreads.last(RankThreads.train(json, state, SEED, BATCH, blocks, EPOCHS, StepSettings.DEFAULT));
    }
}
