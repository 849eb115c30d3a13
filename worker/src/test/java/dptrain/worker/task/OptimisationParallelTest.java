package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.Collective;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.step.StepStatistics;
import dptrain.worker.step.TrainingStep;
import dptrain.worker.testing.ReferenceTraining;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Gradient clipping, parameter averaging, monitoring statistics and divergence under data
 * parallelism, each against a single-process reference that uses none of dptrain's step code
 * where DL4J offers one.
 */
class OptimisationParallelTest {

    private static final long SEED = 11;
    private static final double TOLERANCE = 1e-5;
    /** 60 + 45 rows in batches of 15: 7 iterations per epoch, 21 in three epochs. */
    private static final long[] SHARDS = {60, 45};
    private static final int BATCH = 15;
    private static final int EPOCHS = 3;

    /**
     * Clipping every element of the averaged gradient on two ranks gives the parameters of DL4J's
     * own element-wise clipping ({@code ClipElementWiseAbsoluteValue}) of the global batch's
     * gradient on one machine.
     */
    @Test
    void valueClippingOnTwoRanksEqualsDl4jClippingOnOneMachine() throws Exception {
        IUpdater sgd = new Sgd(0.5);
        double threshold = 0.02;
        String plain = TinyNetworks.classifier(sgd, 0, SEED);
        String dl4jClipped = TinyNetworks.classifier(sgd, 0, SEED,
                GradientNormalization.ClipElementWiseAbsoluteValue, threshold);
        float[] twoRanks = trainRanks(plain, settings(GradientClipping.value(threshold)));
        float[] oneMachine = trainReference(dl4jClipped);
        ReferenceTraining.assertClose(oneMachine, twoRanks, TOLERANCE);
        assertDiffer(trainReference(plain), twoRanks, "clipping changed nothing: the threshold is too high");
    }

    /**
     * Clipping by the global L2 norm on two ranks gives the parameters of DL4J's per-layer L2
     * clipping on one machine for a one-layer network, where the layer's norm is the global norm.
     */
    @Test
    void normClippingOnTwoRanksEqualsDl4jClippingOnOneMachine() throws Exception {
        // SGD, not Adam: Adam's step hardly changes when the whole gradient is scaled
        IUpdater sgd = new Sgd(0.5);
        double threshold = 0.1;
        String plain = TinyNetworks.softmaxRegression(sgd, SEED, GradientNormalization.None, 1);
        String dl4jClipped = TinyNetworks.softmaxRegression(sgd, SEED, GradientNormalization.ClipL2PerLayer,
                threshold);
        List<List<EpochReport>> epochs = train(plain, settings(GradientClipping.norm(threshold)), blocks());
        float[] twoRanks = RankThreads.last(epochs).params();
        ReferenceTraining.assertClose(trainReference(dl4jClipped), twoRanks, TOLERANCE);
        assertDiffer(trainReference(plain), twoRanks, "clipping changed nothing: the threshold is too high");
        assertTrue(epochs.get(0).get(0).statistics().gradientNormMax() > threshold);
    }

    /**
     * Clipping by global norm of a multi-layer network: two ranks give the parameters of dptrain's
     * step on one machine fed the same global batches whole.
     */
    @Test
    void normClippingOnTwoRanksEqualsOneMachine() throws Exception {
        String json = TinyNetworks.classifier(new Sgd(0.3), 0, SEED);
        GradientClipping clipping = GradientClipping.norm(0.05);
        float[] twoRanks = trainRanks(json, settings(clipping));
        ReferenceTraining.assertClose(trainOneMachine(json, clipping), twoRanks, TOLERANCE);
        assertDiffer(trainOneMachine(json, GradientClipping.NONE), twoRanks,
                "clipping changed nothing: the threshold is too high");
    }

    /** With plain SGD, parameter averaging after every step is gradient averaging, uneven shards included. */
    @Test
    void parameterAveragingEveryStepEqualsGradientAveraging() throws Exception {
        ShardBlock[] blocks = {TinyNetworks.block(97, 100), TinyNetworks.block(64, 101)};
        String json = TinyNetworks.classifier(new Sgd(0.2), 0, SEED);
        StepSettings everyStep = new StepSettings(Averaging.parameters(1, true), GradientClipping.NONE, 0);
        float[] parameters = RankThreads.last(train(json, everyStep, blocks)).params();
        float[] gradients = RankThreads.last(train(json, StepSettings.DEFAULT, blocks)).params();
        ReferenceTraining.assertClose(gradients, parameters, TOLERANCE);

        MultiLayerNetwork reference = reference(json);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            ReferenceTraining.fitEpoch(reference, blocks, new BatchPlan(new long[] {97, 64}, BATCH, SEED, epoch),
                    TinyNetworks.CLASSES);
        }
        ReferenceTraining.assertClose(reference.params().toFloatVector(), parameters, TOLERANCE);
    }

    /** Averaging every 4 local steps: ranks end each epoch identical, and the result is not gradient averaging. */
    @Test
    void parameterAveragingEveryFourStepsKeepsRanksIdentical() throws Exception {
        String json = TinyNetworks.classifier(new Adam(0.01), 0, SEED);
        for (boolean updaterState : new boolean[] {true, false}) {
            StepSettings everyFour = new StepSettings(Averaging.parameters(4, updaterState), GradientClipping.NONE, 0);
            List<List<EpochReport>> epochs = train(json, everyFour, blocks());
            NetworkState end = RankThreads.last(epochs);
            assertEquals(EPOCHS * 7, end.iteration());
            double firstLoss = epochs.get(0).get(0).lossSum() / epochs.get(0).get(0).rows();
            double lastLoss = epochs.get(EPOCHS - 1).get(0).lossSum() / epochs.get(EPOCHS - 1).get(0).rows();
            assertTrue(lastLoss < firstLoss, "loss " + firstLoss + " -> " + lastLoss);
            assertDiffer(trainRanks(json, StepSettings.DEFAULT), end.params(), "K=4 behaved like K=1");
        }
    }

    /**
     * One iteration per epoch (the batch is every row): the statistics must be the norm of the
     * global batch's mean gradient, the loss of the batch, the learning rate and, per layer,
     * {@code lr * ||layer gradient|| / ||layer parameters||}, all computed here by DL4J alone.
     */
    @Test
    void statisticsDescribeTheAveragedGradientAndTheUpdate() throws Exception {
        double learningRate = 0.1;
        String json = TinyNetworks.classifier(new Sgd(learningRate), 0, SEED);
        ShardBlock[] blocks = blocks();
        int rows = (int) (SHARDS[0] + SHARDS[1]);
        StepSettings probeEach = new StepSettings(Averaging.GRADIENTS, GradientClipping.NONE, 1);
        List<List<EpochReport>> epochs = RankThreads.train(json, NetworkState.initial(json), SEED, rows, blocks, 1,
                probeEach);
        EpochStatistics statistics = epochs.get(0).get(0).statistics();
        assertEquals(EpochStatistics.none().layerNames().length, epochs.get(0).get(1).statistics().layerNames().length);

        MultiLayerNetwork reference = reference(json);
        DataSet batch = ReferenceTraining.globalBatches(blocks, new BatchPlan(SHARDS, rows, SEED, 0),
                TinyNetworks.CLASSES).get(0);
        reference.setInput(batch.getFeatures());
        reference.setLabels(batch.getLabels());
        reference.computeGradientAndScore();
        INDArray meanGradient = reference.getFlattenedGradients().div(rows);
        double norm = meanGradient.norm2Number().doubleValue();
        assertEquals(norm, statistics.gradientNormMean(), 1e-5 * norm);
        assertEquals(norm, statistics.gradientNormMax(), 1e-5 * norm);
        assertArrayEquals(new int[] {0}, statistics.probeIterations());
        assertEquals(reference.score(), statistics.probeLoss()[0], 1e-5 * reference.score());
        assertEquals(learningRate, statistics.probeLearningRate()[0], 1e-12);
        assertArrayEquals(new String[] {"0", "1", "2"}, statistics.layerNames());
        for (int layer = 0; layer < 3; layer++) {
            double gradient = Math.hypot(
                    reference.gradient().getGradientFor(layer + "_W").norm2Number().doubleValue(),
                    reference.gradient().getGradientFor(layer + "_b").norm2Number().doubleValue()) / rows;
            double params = reference.getLayer(layer).params().norm2Number().doubleValue();
            double expected = learningRate * gradient / params;
            assertEquals(expected, statistics.updateRatioMean()[layer], 1e-5 * expected, "layer " + layer);
        }
    }

    @Test
    void nanLossStopsEveryRankNamingEpochAndIteration() {
        String json = TinyNetworks.classifier(new Sgd(0.1), 0, SEED);
        NetworkState initial = NetworkState.initial(json);
        NetworkState later = new NetworkState(initial.params(), initial.updaterState(), 40, 2);
        ShardBlock[] poisoned = {nanBlock(60), TinyNetworks.block(45, 101)};
        DivergenceException gradients = assertThrows(DivergenceException.class,
                () -> RankThreads.train(json, later, SEED, BATCH, poisoned, 1, StepSettings.DEFAULT));
        assertEquals("training diverged at epoch 3, iteration 40: loss is NaN", gradients.getMessage());
        assertEquals(3, gradients.epoch());
        assertEquals(40, gradients.iteration());

        StepSettings everyThree = new StepSettings(Averaging.parameters(3, true), GradientClipping.NONE, 0);
        DivergenceException parameters = assertThrows(DivergenceException.class,
                () -> RankThreads.train(json, later, SEED, BATCH, poisoned, 1, everyThree));
        assertEquals("training diverged at epoch 3, iteration 42: loss is NaN", parameters.getMessage());
    }

    private static StepSettings settings(GradientClipping clipping) {
        return new StepSettings(Averaging.GRADIENTS, clipping, 0);
    }

    private static ShardBlock[] blocks() {
        return new ShardBlock[] {TinyNetworks.block((int) SHARDS[0], 100), TinyNetworks.block((int) SHARDS[1], 101)};
    }

    private static List<List<EpochReport>> train(String json, StepSettings settings, ShardBlock[] blocks)
            throws Exception {
        return RankThreads.train(json, NetworkState.initial(json), SEED, BATCH, blocks, EPOCHS, settings);
    }

    private static float[] trainRanks(String json, StepSettings settings) throws Exception {
        return RankThreads.last(train(json, settings, blocks())).params();
    }

    private static MultiLayerNetwork reference(String json) {
        return (MultiLayerNetwork) NetworkState.initial(json).restore(json).model();
    }

    /** DL4J's {@code net.fit} on the global batches of the two-rank run. */
    private static float[] trainReference(String json) {
        MultiLayerNetwork net = reference(json);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            ReferenceTraining.fitEpoch(net, blocks(), new BatchPlan(SHARDS, BATCH, SEED, epoch), TinyNetworks.CLASSES);
        }
        return net.params().toFloatVector();
    }

    /** dptrain's step on one machine (a group of one), fed the whole global batches of the two-rank run. */
    private static float[] trainOneMachine(String json, GradientClipping clipping) {
        Network net = NetworkState.initial(json).restore(json);
        Collective alone = SharedMemoryCollective.group(1)[0];
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            List<DataSet> batches = ReferenceTraining.globalBatches(blocks(), new BatchPlan(SHARDS, BATCH, SEED, epoch),
                    TinyNetworks.CLASSES);
            net.setEpochCount(epoch);
            TrainingStep step = TrainingStep.forEpoch(net, alone, settings(clipping), new StepStatistics(0),
                    batches.size());
            for (DataSet batch : batches) {
                step.step(batch.getFeatures(), batch.getLabels(), batch.numExamples());
            }
            step.finish();
        }
        return net.params().toFloatVector();
    }

    private static ShardBlock nanBlock(int rows) {
        float[] features = new float[rows * TinyNetworks.INPUTS];
        Arrays.fill(features, Float.NaN);
        return new ShardBlock(rows, TinyNetworks.INPUTS, 1, features, new float[rows]);
    }

    private static void assertDiffer(float[] a, float[] b, String message) {
        try {
            ReferenceTraining.assertClose(a, b, 1e-3);
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError(message);
    }
}
