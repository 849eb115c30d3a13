package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SpecLoaderTest {

    @Test
    void fullSpecLoadsEveryValue() {
        assertEquals(Specs.FULL_SPEC, Specs.parse(Specs.FULL));
        assertEquals(Task.REGRESSION, Specs.parse(Specs.FULL).task());
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, Specs.FULL);
        assertEquals(Specs.FULL_SPEC, SpecLoader.load(file, List.of()));
    }

    @Test
    void minimalSpecGetsEveryDefault() {
        JobSpec expected = new JobSpec(
                new DataSpec(DataFormat.IDX, "/data/fashion/train-images-idx3-ubyte", null, null, List.of(), true,
                        0.1, Normalization.NONE, 255, 0),
                new ModelSpec(List.of(
                        new LayerSpec(LayerType.DENSE, 256, Activation.RELU, null, WeightInit.HE),
                        new LayerSpec(LayerType.OUTPUT, 10, Activation.SOFTMAX, Loss.MCXENT, WeightInit.XAVIER)),
                        0.0),
                new TrainingSpec(2, 64, 10, 42,
                        new OptimizerSpec(OptimizerType.ADAM, 0.001, 0.9, 0.9, 0.999, 1e-8, 0.95), 2, 120,
                        Averaging.Mode.GRADIENTS, 1, true, OnDivergence.STOP, DeviceMode.AUTO,
                        AllReduceEncryption.AUTO),
                new OutputSpec("/tmp/run"),
                new CheckpointSpec("/tmp/run/checkpoints", 3, true),
                null,
                new MonitoringSpec(0, 256));
        JobSpec spec = Specs.parse(Specs.MINIMAL);
        assertEquals(expected, spec);
        assertEquals(Task.CLASSIFICATION, spec.task());
    }

    @ParameterizedTest
    @CsvSource({
            "sgd,      0.01",
            "momentum, 0.01",
            "nesterov, 0.01",
            "rmsprop,  0.001",
            "adam,     0.001"})
    void optimizerDefaultsFollowTheType(String type, double learningRate) {
        OptimizerSpec optimizer = Specs.parse(Specs.MINIMAL, "training.optimizer.type=" + type).training().optimizer();
        assertEquals(new OptimizerSpec(Spelling.OPTIMIZER_TYPE.parse(type), learningRate, 0.9, 0.9, 0.999, 1e-8,
                0.95), optimizer);
    }

    @ParameterizedTest
    @CsvSource({
            "sigmoid,   bce,    XAVIER",
            "identity,  mse,    XAVIER",
            "identity,  mae,    XAVIER"})
    void outputActivationAndWeightInitFollowTheLoss(String activation, String loss, WeightInit weightInit) {
        LayerSpec output = Specs.parse(Specs.MINIMAL, "model.layers[1].loss=" + loss).model().outputLayer();
        assertEquals(Spelling.ACTIVATION.parse(activation), output.activation());
        assertEquals(weightInit, output.weightInit());
    }

    @ParameterizedTest
    @CsvSource({
            "relu,     HE",
            "leakyrelu, HE",
            "elu,      HE",
            "sigmoid,  XAVIER",
            "tanh,     XAVIER",
            "identity, XAVIER"})
    void hiddenWeightInitFollowsTheActivation(String activation, WeightInit weightInit) {
        LayerSpec hidden = Specs.parse(Specs.MINIMAL, "model.layers[0].activation=" + activation).model().layers().get(0);
        assertEquals(weightInit, hidden.weightInit());
    }

    @Test
    void overrideSetsAScalar() {
        JobSpec spec = Specs.parse(Specs.FULL, "training.epochs=5", "training.seed=-3", "checkpoint.resume=true",
                "model.l2=0");
        assertEquals(5, spec.training().epochs());
        assertEquals(-3, spec.training().seed());
        assertEquals(true, spec.checkpoint().resume());
        assertEquals(0.0, spec.model().l2());
    }

    @Test
    void overrideSetsAPathAndKeepsEverythingAfterTheFirstEquals() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "output.dir=/tmp/run1", "data.train=hdfs://nn:8020/x/a=b/train");
        assertEquals("/tmp/run1", spec.output().dir());
        assertEquals("/tmp/run1/checkpoints", spec.checkpoint().dir());
        assertEquals("hdfs://nn:8020/x/a=b/train", spec.data().train());
    }

    @Test
    void overrideReachesIntoAListEntry() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "model.layers[0].units=128", "model.layers[0].activation=tanh");
        assertEquals(new LayerSpec(LayerType.DENSE, 128, Activation.TANH, null, WeightInit.XAVIER),
                spec.model().layers().get(0));
    }

    @Test
    void overrideOfTheOptimizerTypeKeepsOtherGivenValues() {
        JobSpec spec = Specs.parse(Specs.FULL, "training.optimizer.type=sgd");
        assertEquals(new OptimizerSpec(OptimizerType.SGD, 0.002, 0.5, 0.8, 0.99, 1e-6, 0.9), spec.training().optimizer());
    }

    @Test
    void overrideValueIsYamlSoAFlowListIsAList() {
        JobSpec spec = Specs.parse(Specs.FULL, "data.features=[a, b]");
        assertEquals(List.of("a", "b"), spec.data().features());
    }

    @Test
    void overrideCreatesIntermediateMappings() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "training.optimizer.learning_rate=0.05", "checkpoint.keep=1");
        assertEquals(0.05, spec.training().optimizer().learningRate());
        assertEquals(OptimizerType.ADAM, spec.training().optimizer().type());
        assertEquals(1, spec.checkpoint().keep());
    }

    @Test
    void overrideCanAppendALayer() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "model.layers[1]={units: 32}",
                "model.layers[2]={type: output, units: 3, loss: mcxent}");
        assertEquals(3, spec.model().layers().size());
        assertEquals(3, spec.model().outputLayer().units());
    }

    @Test
    void emptyOrTildeOverrideRestoresTheDefault() {
        JobSpec spec = Specs.parse(Specs.FULL, "training.epochs=", "checkpoint.dir=~", "data.test=");
        assertEquals(SpecDefaults.EPOCHS, spec.training().epochs());
        assertEquals("s3a://bucket/runs/1/checkpoints", spec.checkpoint().dir());
        assertNull(spec.data().test());
    }

    @Test
    void overrideThatIsNotYamlIsAString() {
        assertEquals("*.csv", Specs.parse(Specs.FULL, "data.train=*.csv").data().train());
    }

    @Test
    void overridesApplyInOrder() {
        assertEquals(4, Specs.parse(Specs.MINIMAL, "training.epochs=3", "training.epochs=4").training().epochs());
    }

    @Test
    void integersMayBeWrittenAsWholeFloats() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "training.epochs=3.0", "training.workers=2.0");
        assertEquals(3, spec.training().epochs());
    }

    @Test
    void checkpointDirDoesNotDoubleATrailingSlash() {
        assertEquals("/tmp/run/checkpoints", Specs.parse(Specs.MINIMAL, "output.dir=/tmp/run/").checkpoint().dir());
    }

    @Test
    void jsonIsYamlSoAFlowSpecLoads() {
        String json = """
                {"data": {"format": "libsvm", "train": "/d/a.svm", "num_features": 780},
                 "model": {"layers": [{"type": "output", "units": 1, "loss": "bce"}]},
                 "output": {"dir": "/o"}}""";
        JobSpec spec = Specs.parse(json);
        assertEquals(780, spec.data().numFeatures());
        assertEquals(Activation.SIGMOID, spec.model().outputLayer().activation());
    }

    @ParameterizedTest
    @CsvSource({
            "activation, leakyrelu,                LEAKYRELU",
            "activation, leaky_relu,               LEAKYRELU",
            "activation, LeakyReLU,                LEAKYRELU",
            "activation, TANH,                     TANH",
            "weight_init, relu,                    HE",
            "weight_init, He,                      HE",
            "weight_init, XAVIER,                  XAVIER"})
    void hiddenLayerAliases(String key, String written, String expected) {
        LayerSpec layer = Specs.parse(Specs.MINIMAL, "model.layers[0]." + key + "=" + written).model().layers().get(0);
        assertEquals(expected, key.equals("activation") ? layer.activation().name() : layer.weightInit().name());
    }

    @ParameterizedTest
    @CsvSource({
            "mse,                      MSE",
            "MAE,                      MAE",
            "l1,                       MAE",
            "bce,                      BCE",
            "binary_crossentropy,      BCE",
            "xent,                     BCE",
            "mcxent,                   MCXENT",
            "categorical_crossentropy, MCXENT",
            "Cross_Entropy,            MCXENT"})
    void lossAliases(String written, Loss expected) {
        assertEquals(expected, Specs.parse(Specs.MINIMAL, "model.layers[1].loss=" + written).model().outputLayer().loss());
    }

    @ParameterizedTest
    @CsvSource({
            "sgd,       SGD",
            "momentum,  MOMENTUM",
            "nesterov,  NESTEROV",
            "nesterovs, NESTEROV",
            "RMSprop,   RMSPROP",
            "Adam,      ADAM"})
    void optimizerAliases(String written, OptimizerType expected) {
        assertEquals(expected, Specs.parse(Specs.MINIMAL, "training.optimizer.type=" + written).training().optimizer().type());
    }

    @Test
    void formatAndNormalizationIgnoreCase() {
        JobSpec spec = Specs.parse(Specs.FULL, "data.format=Parquet", "data.header=", "data.normalize=MinMax",
                "data.scale=");
        assertEquals(DataFormat.PARQUET, spec.data().format());
        assertEquals(Normalization.MINMAX, spec.data().normalize());
    }

    @Test
    void imageLayersTakeTheirDefaults() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "data.shape=[1, 28, 28]",
                "model.layers=[{type: convolution, filters: 8, kernel: 3}, {type: subsampling}, {type: global_pool},"
                        + " {type: output, units: 10, loss: sparse_categorical_crossentropy}]");
        assertEquals(List.of(1, 28, 28), spec.data().shape());
        assertEquals(LayerSpec.convolution(8, 3, Activation.RELU), spec.model().layers().get(0));
        assertEquals(LayerSpec.pooling(PoolingType.MAX, 2), spec.model().layers().get(1));
        assertEquals(LayerSpec.of(LayerType.GLOBAL_POOLING, 0), spec.model().layers().get(2));
        assertEquals(LayerSpec.output(10, Loss.SPARSE_MCXENT), spec.model().layers().get(3));
        assertEquals(Activation.SOFTMAX, spec.model().outputLayer().activation());
    }

    @Test
    void aDl4jJsonNetworkNeedsNoLayers() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "model={dl4j_json: /nets/resnet.json}");
        assertEquals("/nets/resnet.json", spec.model().dl4jJson());
        assertEquals(List.of(), spec.model().layers());
    }
}
