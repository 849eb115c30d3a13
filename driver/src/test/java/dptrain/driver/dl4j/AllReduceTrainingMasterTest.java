package dptrain.driver.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.testing.ReferenceTraining;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.core.loader.impl.SerializedDataSetLoader;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.util.SparkUtils;
import org.nd4j.common.loader.LocalFileSourceFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The drop-in against plain single-process DL4J: {@code SparkDl4jMultiLayer.fit(rdd)} (and
 * {@code SparkComputationGraph}) with {@link AllReduceTrainingMaster}, 2 workers on real Spark,
 * equals {@code net.fit} on the same global batches in the same order. 203 examples in DataSets of
 * 7 over 3 partitions (boundaries that match neither shards nor batches), global batch 16 (12 full
 * batches and one of 11 per epoch), 3 epochs.
 */
class AllReduceTrainingMasterTest {

    private static final int ROWS = 203;
    private static final int BATCH = 16;
    private static final int EPOCHS = 3;
    private static final long SHUFFLE_SEED = 11;
    private static final long CONFIGURATION_SEED = 7;

    private static JavaSparkContext spark() {
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    }

    private static AllReduceTrainingMaster master(int workers) {
        return new AllReduceTrainingMaster.Builder(workers).globalBatchSize(BATCH).rngSeed(SHUFFLE_SEED).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void sparkDl4jMultiLayerFitEqualsSingleProcessDl4j(String optimizer) {
        MultiLayerConfiguration conf = Dl4jFixtures.mlp(5, 16, 3, Activation.TANH, updater(optimizer), 0.001,
                CONFIGURATION_SEED);
        // a copy before training: the network trains in the configuration object it was given (DL4J keeps
        // its iteration and epoch counts there)
        MultiLayerConfiguration untrained = conf.clone();
        Dl4jFixtures.Rows rows = Dl4jFixtures.synthetic(ROWS, 9);
        List<DataSet> dataSets = Dl4jFixtures.dataSets(rows, 7);
        JavaRDD<DataSet> rdd = spark().parallelize(dataSets, 3);
        AllReduceTrainingMaster master = master(2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark(), conf, master);
        MultiLayerNetwork trained = sparkNet.getNetwork();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            assertSame(trained, sparkNet.fit(rdd), "fit trains the network in place");
        }
        assertTrue(master.deleteTempFiles(spark()), "the shards were cached once and are released");

        MultiLayerNetwork reference = new MultiLayerNetwork(untrained);
        reference.init();
        ShardBlock[] shards = shards(rows, 2);
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            ReferenceTraining.fitEpoch(reference, shards, plan(shards, epoch), 0);
        }

        assertEquals(EPOCHS * 13, trained.getIterationCount());
        assertEquals(EPOCHS, trained.getEpochCount());
        ReferenceTraining.assertClose(reference.params().toFloatVector(), trained.params().toFloatVector(), 1e-5);
        if (optimizer.equals("adam")) {
            ReferenceTraining.assertClose(reference.getUpdater().getStateViewArray().toFloatVector(),
                    trained.getUpdater().getStateViewArray().toFloatVector(), 1e-5);
        }
        // dl4j-spark's own distributed evaluation sees the trained network
        Evaluation distributed = sparkNet.evaluate(rdd);
        Evaluation local = trained.evaluate(new ListDataSetIterator<>(dataSets, 50));
        assertEquals(ROWS, distributed.getNumRowCounter());
        assertEquals(local.accuracy(), distributed.accuracy(), 1e-12);
    }

    /** Epoch 1 through {@code fit(JavaRDD<DataSet>)}, epoch 2 through {@code fitMultiDataSet}. */
    @Test
    void sparkComputationGraphFitEqualsSingleProcessDl4j() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(CONFIGURATION_SEED).dataType(DataType.FLOAT).updater(new Adam(0.01)).l2(0.001)
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(5).nOut(16).activation(Activation.TANH)
                        .weightInit(WeightInit.XAVIER).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build(), "hidden")
                .setOutputs("out")
                .build();
        Dl4jFixtures.Rows rows = Dl4jFixtures.synthetic(ROWS, 9);
        List<DataSet> dataSets = Dl4jFixtures.dataSets(rows, 7);
        JavaRDD<DataSet> rdd = spark().parallelize(dataSets, 3);
        JavaRDD<org.nd4j.linalg.dataset.api.MultiDataSet> multi = spark().parallelize(dataSets.stream()
                .map(d -> (org.nd4j.linalg.dataset.api.MultiDataSet) new MultiDataSet(d.getFeatures(), d.getLabels()))
                .toList(), 2);
        ComputationGraphConfiguration untrained = conf.clone();
        AllReduceTrainingMaster master = master(2);
        SparkComputationGraph sparkGraph = new SparkComputationGraph(spark(), conf, master);
        sparkGraph.fit(rdd);
        sparkGraph.fitMultiDataSet(multi);
        master.deleteTempFiles(spark());

        ComputationGraph reference = new ComputationGraph(untrained);
        reference.init();
        ShardBlock[] shards = shards(rows, 2);
        for (int epoch = 0; epoch < 2; epoch++) {
            ReferenceTraining.fitEpoch(reference, shards, plan(shards, epoch), 0);
        }
        ComputationGraph trained = sparkGraph.getNetwork();
        assertEquals(26, trained.getIterationCount());
        assertEquals(2, trained.getEpochCount());
        ReferenceTraining.assertClose(reference.params().toFloatVector(), trained.params().toFloatVector(), 1e-5);
    }

    /**
     * {@code fit(directory)} of saved DataSets trains exactly as {@code fit(rdd)} of the same DataSets
     * in the order dl4j-spark lists the files; DL4J listeners hear one epoch on the driver.
     */
    @Test
    void fitOfSavedDataSetsEqualsFitOfTheRddAndListenersHearTheEpoch(@TempDir Path dir) throws Exception {
        MultiLayerConfiguration conf = Dl4jFixtures.mlp(5, 16, 3, Activation.TANH, new Adam(0.01), 0.001,
                CONFIGURATION_SEED);
        List<DataSet> dataSets = Dl4jFixtures.dataSets(Dl4jFixtures.synthetic(ROWS, 9), 7);
        for (int i = 0; i < dataSets.size(); i++) {
            dataSets.get(i).save(dir.resolve("batch-" + i + ".bin").toFile());
        }
        List<String> listed = SparkUtils.listPaths(spark(), dir.toString()).collect();
        SerializedDataSetLoader loader = new SerializedDataSetLoader();
        List<DataSet> inListedOrder = new java.util.ArrayList<>();
        for (String path : listed) {
            inListedOrder.add(loader.load(new LocalFileSourceFactory().getSource(new java.net.URI(path).getPath())));
        }

        SparkDl4jMultiLayer fromFiles = new SparkDl4jMultiLayer(spark(), conf.clone(), master(2));
        RecordingListener heard = new RecordingListener();
        fromFiles.setListeners(heard);
        fromFiles.fit(dir.toString());
        SparkDl4jMultiLayer fromRdd = new SparkDl4jMultiLayer(spark(), conf.clone(), master(2));
        fromRdd.fit(spark().parallelize(inListedOrder, 2));

        assertEquals(13, fromFiles.getNetwork().getIterationCount());
        assertArrayEquals(fromRdd.getNetwork().params().toFloatVector(), fromFiles.getNetwork().params().toFloatVector());
        assertEquals(List.of("start 0", "iteration 12 epoch 0 score " + fromFiles.getScore(), "end"), heard.calls);
        assertTrue(fromFiles.getScore() > 0 && fromFiles.getScore() < 2, "mean training loss " + fromFiles.getScore());
    }

    /** What a DL4J listener is told, in order. */
    private static final class RecordingListener extends BaseTrainingListener {
        private final List<String> calls = new java.util.ArrayList<>();

        @Override
        public void onEpochStart(Model model) {
            calls.add("start " + ((MultiLayerNetwork) model).getEpochCount());
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            calls.add("iteration " + iteration + " epoch " + epoch + " score " + model.score());
        }

        @Override
        public void onEpochEnd(Model model) {
            calls.add("end");
        }
    }

    @Test
    void moreWorkersThanTaskSlotsIsRefusedBeforeTraining() {
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark(),
                Dl4jFixtures.mlp(5, 8, 3, Activation.TANH, new Sgd(0.1), 0, CONFIGURATION_SEED), master(5));
        float[] before = sparkNet.getNetwork().params().toFloatVector();
        JavaRDD<DataSet> rdd = spark().parallelize(Dl4jFixtures.dataSets(Dl4jFixtures.synthetic(40, 3), 10), 2);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> sparkNet.fit(rdd));
        assertEquals("workers: 5 workers need 5 task slots at once, but Spark master local[4] has 4",
                error.getMessage());
        assertArrayEquals(before, sparkNet.getNetwork().params().toFloatVector());
        assertEquals(0, sparkNet.getNetwork().getEpochCount());
    }

    @Test
    void imageShapedFeaturesAreRefusedWithWhatToDoInstead() {
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark(),
                Dl4jFixtures.mlp(4, 8, 3, Activation.TANH, new Sgd(0.1), 0, CONFIGURATION_SEED), master(2));
        DataSet images = new DataSet(Nd4j.rand(DataType.FLOAT, 20, 1, 2, 2), Nd4j.zeros(DataType.FLOAT, 20, 3));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> sparkNet.fit(spark().parallelize(List.of(images), 1)));
        assertEquals("DataSet 0 of partition 0 has features of shape [20, 1, 2, 2]; AllReduceTrainingMaster trains"
                + " on one row of features per example: flatten them and give the network an input type that"
                + " takes flat rows (e.g. InputType.convolutionalFlat)", error.getMessage());
    }

    /** Data the network cannot take fails on the driver before the shards are built or anything trains. */
    @Test
    void featureAndLabelWidthsTheNetworkCannotTakeAreRefusedBeforeTraining() {
        AllReduceTrainingMaster master = master(2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark(),
                Dl4jFixtures.mlp(5, 8, 3, Activation.TANH, new Sgd(0.1), 0, CONFIGURATION_SEED), master);
        float[] before = sparkNet.getNetwork().params().toFloatVector();
        DataSet fourFeatures = new DataSet(Nd4j.rand(DataType.FLOAT, 20, 4), Nd4j.zeros(DataType.FLOAT, 20, 3));
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class,
                () -> sparkNet.fit(spark().parallelize(List.of(fourFeatures), 1)));
        assertEquals("the DataSets have 4 feature columns, which the network does not take: Input size (4 columns;"
                + " shape = [1, 4]) is invalid: does not match layer input size (layer # inputs = 5) (layer name:"
                + " layer0, layer index: 0, layer type: DenseLayer)", features.getMessage());

        DataSet twoLabels = new DataSet(Nd4j.rand(DataType.FLOAT, 20, 5), Nd4j.zeros(DataType.FLOAT, 20, 2));
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> sparkNet.fit(spark().parallelize(List.of(twoLabels), 1)));
        assertEquals("the DataSets have 2 label columns, but the network's output layer gives 3", labels.getMessage());
        assertArrayEquals(before, sparkNet.getNetwork().params().toFloatVector());
        assertEquals(0, sparkNet.getNetwork().getIterationCount());
        assertTrue(!master.deleteTempFiles(spark()), "no shards were built");
    }

    @Test
    void multiDataSetsOfSeveralInputsAreRefusedWithTheTasksOwnLine() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in").addLayer("out", new OutputLayer.Builder().nIn(2).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "in")
                .setOutputs("out").build();
        SparkComputationGraph sparkGraph = new SparkComputationGraph(spark(), conf, master(2));
        org.nd4j.linalg.dataset.api.MultiDataSet twoInputs = new MultiDataSet(
                new org.nd4j.linalg.api.ndarray.INDArray[] {Nd4j.zeros(4, 2), Nd4j.zeros(4, 2)},
                new org.nd4j.linalg.api.ndarray.INDArray[] {Nd4j.zeros(4, 2)});
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> sparkGraph.fitMultiDataSet(spark().parallelize(List.of(twoInputs), 1)));
        assertEquals("a MultiDataSet with 2 features and 1 labels arrays; AllReduceTrainingMaster trains graphs"
                + " with one input and one output", error.getMessage());
    }

    @Test
    void builderRefusesConflictingBatchSettingsAndSettingsRoundTrip() {
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> new AllReduceTrainingMaster.Builder(2).batchSizePerWorker(32).globalBatchSize(64));
        assertEquals("globalBatchSize: batchSizePerWorker was already set to 32; set one of the two", both.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new AllReduceTrainingMaster.Builder(4).globalBatchSize(3).build());
        assertEquals("globalBatchSize: 3 is less than workers (4); every worker needs at least one example of each"
                + " global batch", small.getMessage());

        AllReduceTrainingMaster master = new AllReduceTrainingMaster.Builder(3).batchSizePerWorker(32)
                .rngSeed(5).collectiveTimeoutSeconds(60).build();
        assertEquals(new AllReduceSettings(3, 96, 5L, 60, 2, Averaging.GRADIENTS, GradientClipping.NONE),
                master.settings());
        assertEquals(master.settings(), AllReduceTrainingMaster.fromJson(master.toJson()).settings());
        assertEquals(master.settings(), AllReduceTrainingMaster.fromYaml(master.toYaml()).settings());
        UnsupportedOperationException hook = assertThrows(UnsupportedOperationException.class,
                () -> master.addHook(null));
        assertTrue(hook.getMessage().contains("setListeners"), hook.getMessage());
    }

    /** Clipping and parameter averaging: one bound at a time, the updater-state choice only with averaging. */
    @Test
    void builderTakesClippingAndParameterAveragingAndTheyRoundTrip() {
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> new AllReduceTrainingMaster.Builder(2).clipNorm(1.0).clipValue(0.5));
        assertEquals("clipValue: clipNorm was already set to 1.0; set one of the two", both.getMessage());
        assertEquals("clipNorm: 0.0 is not a positive bound", assertThrows(IllegalArgumentException.class,
                () -> new AllReduceTrainingMaster.Builder(2).clipNorm(0)).getMessage());
        assertEquals("parameterAveraging: 0 is not positive", assertThrows(IllegalArgumentException.class,
                () -> new AllReduceTrainingMaster.Builder(2).parameterAveraging(0)).getMessage());
        assertEquals("averageUpdaterState: only used with parameterAveraging(frequency)",
                assertThrows(IllegalStateException.class, () -> new AllReduceTrainingMaster.Builder(2)
                        .globalBatchSize(8).averageUpdaterState(false).build()).getMessage());

        AllReduceTrainingMaster master = new AllReduceTrainingMaster.Builder(2).globalBatchSize(8)
                .parameterAveraging(4).averageUpdaterState(false).clipValue(0.25).build();
        assertEquals(new AllReduceSettings(2, 8, null, 120, 2, Averaging.parameters(4, false),
                GradientClipping.value(0.25)), master.settings());
        assertEquals(master.settings(), AllReduceTrainingMaster.fromJson(master.toJson()).settings());
        assertEquals(master.settings(), AllReduceTrainingMaster.fromYaml(master.toYaml()).settings());
    }

    private static IUpdater updater(String optimizer) {
        return optimizer.equals("sgd") ? new Sgd(0.1) : new Adam(0.01);
    }

    /**
     * The shards the master must have built, written out independently: examples numbered in RDD order,
     * example p to rank p mod W.
     */
    private static ShardBlock[] shards(Dl4jFixtures.Rows rows, int workers) {
        ShardBlock[] shards = new ShardBlock[workers];
        int features = rows.features()[0].length;
        int labels = rows.labels()[0].length;
        for (int r = 0; r < workers; r++) {
            int count = (rows.count() - r + workers - 1) / workers;
            float[] x = new float[count * features];
            float[] y = new float[count * labels];
            for (int j = 0; j < count; j++) {
                int i = r + j * workers;
                System.arraycopy(rows.features()[i], 0, x, j * features, features);
                System.arraycopy(rows.labels()[i], 0, y, j * labels, labels);
            }
            shards[r] = new ShardBlock(count, features, labels, x, y);
        }
        return shards;
    }

    private static BatchPlan plan(ShardBlock[] shards, int epoch) {
        long[] rows = new long[shards.length];
        for (int r = 0; r < shards.length; r++) {
            rows[r] = shards[r].rows();
        }
        return new BatchPlan(rows, BATCH, SHUFFLE_SEED, epoch);
    }
}
