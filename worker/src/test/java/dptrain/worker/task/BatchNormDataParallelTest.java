package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.NetworkState;
import dptrain.worker.step.StepSettings;
import dptrain.worker.testing.ReferenceTraining;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Batch-norm running statistics under data parallelism: identical on every rank, and equal to
 * the statistics single-process DL4J computes on the whole global batches. The BN layer comes
 * first, so its inputs are the raw features and its statistics depend on the data alone, not on
 * the weights (which differ from single-process training: each rank normalises its own part).
 * The two ranks' data have different means, so merely averaging the ranks' updates would give a
 * visibly smaller variance than the global batch's.
 */
class BatchNormDataParallelTest {

    private static final int INPUTS = 6;
    private static final int CLASSES = 3;
    private static final long SEED = 11;

    /**
     * Also with gradient clipping so tight that every step is clipped: the statistics updates are
     * not gradients, so clipping must leave them alone.
     */
    @ParameterizedTest(name = "clipping {0}")
    @ValueSource(doubles = {0, 1e-4})
    void runningStatisticsMatchTheWholeGlobalBatchOnEveryRank(double clipNorm) throws Exception {
        StepSettings step = new StepSettings(Averaging.GRADIENTS,
                clipNorm > 0 ? GradientClipping.norm(clipNorm) : GradientClipping.NONE, 0);
        String json = network();
        long[] shardRows = {70, 45};
        ShardBlock[] blocks = {block(70, 1, 2.0f), block(45, 2, -1.5f)};
        int batch = 20;
        NetworkState state = NetworkState.initial(json);
        MultiLayerNetwork reference = (MultiLayerNetwork) state.restore(json).model();
        // DL4J M2 keeps log10(std) (useLogStd); a configuration asking for the variance comes back from
        // its JSON with useLogStd set again
        String spreadKey = BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
        int meanOffset = offset(reference, BatchNormalizationParamInitializer.GLOBAL_MEAN);
        int spreadOffset = offset(reference, spreadKey);
        float[] initialSpread = statistics(state.params(), spreadOffset);

        for (int epoch = 0; epoch < 2; epoch++) {
            // one epoch at a time: the reference trains on the same global batches in between
            state = RankThreads.last(RankThreads.train(json, state, SEED, batch, blocks, 1, step));
            ReferenceTraining.fitEpoch(reference, blocks, new BatchPlan(shardRows, batch, SEED, epoch), CLASSES);
        }

        float[] expectedMean = reference.getLayer(0).getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                .toFloatVector();
        float[] expectedSpread = reference.getLayer(0).getParam(spreadKey).toFloatVector();
        // the statistics really moved (the global mean is about (70*2 - 45*1.5)/115 = 0.63 per column)
        assertTrue(expectedMean[0] > 0.3, "reference mean " + expectedMean[0]);
        assertTrue(Math.abs(expectedSpread[0] - initialSpread[0]) > 0.05,
                "reference spread did not move: " + expectedSpread[0]);
        assertArrayEquals(expectedMean, statistics(state.params(), meanOffset), 1e-5f, "running mean");
        assertArrayEquals(expectedSpread, statistics(state.params(), spreadOffset), 1e-5f,
                "running log10(std)");
    }

    private static String network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new BatchNormalization.Builder().nIn(INPUTS).nOut(INPUTS).build())
                .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        return conf.toJson();
    }

    /** Gaussian features with mean {@code shift} and a per-column scale, labels from their sum. */
    private static ShardBlock block(int rows, long seed, float shift) {
        Random random = new Random(seed);
        float[] features = new float[rows * INPUTS];
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            float sum = 0;
            for (int c = 0; c < INPUTS; c++) {
                float value = shift + (float) random.nextGaussian() * (1 + c);
                features[r * INPUTS + c] = value;
                sum += value;
            }
            labels[r] = sum < 0 ? 0 : sum < 6 ? 1 : 2;
        }
        return new ShardBlock(rows, INPUTS, 1, features, labels);
    }

    private static int offset(MultiLayerNetwork net, String key) {
        INDArray view = net.getLayer(0).getParam(key);
        return Math.toIntExact(view.offset() - net.params().offset());
    }

    private static float[] statistics(float[] params, int offset) {
        float[] values = new float[INPUTS];
        System.arraycopy(params, offset, values, 0, INPUTS);
        return values;
    }
}
