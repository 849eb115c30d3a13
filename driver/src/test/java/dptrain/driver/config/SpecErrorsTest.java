package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every rejection, with its exact one-line message. */
class SpecErrorsTest {

    /** A bad override applied to {@link Specs#MINIMAL} and the message it must give. */
    static Stream<Arguments> badOverrides() {
        return Stream.of(
                arguments("training.epoch=3",
                        "unknown key 'training.epoch' (did you mean 'training.epochs'?)"),
                arguments("training.batchSize=32",
                        "unknown key 'training.batchSize' (did you mean 'training.batch_size'?)"),
                arguments("trainin.epochs=3",
                        "unknown key 'trainin' (did you mean 'training'?)"),
                arguments("training.velocity=fast",
                        "unknown key 'training.velocity'; allowed: workers, batch_size, epochs, seed, optimizer, "
                                + "epoch_retries, collective_timeout_seconds, averaging, averaging_frequency, "
                                + "average_updater_state, on_divergence, device, allreduce_encryption"),
                arguments("model.layers[0].unit=5",
                        "unknown key 'model.layers[0].unit' (did you mean 'model.layers[0].units'?)"),
                arguments("training.batch_size=abc",
                        "training.batch_size: expected a positive integer, got \"abc\""),
                arguments("training.batch_size=-5",
                        "training.batch_size: expected a positive integer, got -5"),
                arguments("training.epochs=3.5",
                        "training.epochs: expected a positive integer, got 3.5"),
                arguments("training.epochs=99999999999",
                        "training.epochs: expected a positive integer (at most 2147483647), got 99999999999"),
                arguments("training.epoch_retries=-1",
                        "training.epoch_retries: expected a non-negative integer, got -1"),
                arguments("training.seed=1.5",
                        "training.seed: expected an integer, got 1.5"),
                arguments("model.layers[0].activation=relux",
                        "model.layers[0].activation: unknown value 'relux'; allowed: relu, leakyrelu, elu, sigmoid, "
                                + "tanh, softmax, identity"),
                arguments("model.layers[1].activation=relux",
                        "model.layers[1].activation: unknown value 'relux'; allowed: relu, leakyrelu, elu, sigmoid, "
                                + "tanh, softmax, identity"),
                arguments("model.layers[0].weight_init=glorot",
                        "model.layers[0].weight_init: unknown value 'glorot'; allowed: xavier, he, uniform, normal"),
                arguments("training.optimizer.type=lamb",
                        "training.optimizer.type: unknown value 'lamb'; allowed: sgd, momentum, nesterov, rmsprop, adam, "
                                + "adamw, adagrad"),
                arguments("training.optimizer.clip_norm=1 training.optimizer.clip_value=0.5",
                        "training.optimizer.clip_value: cannot be combined with training.optimizer.clip_norm (1); "
                                + "choose one, got 0.5"),
                arguments("training.optimizer.clip_norm=-1",
                        "training.optimizer.clip_norm: must be >= 0, got -1"),
                arguments("training.optimizer.weight_decay=-0.1",
                        "training.optimizer.weight_decay: must be >= 0, got -0.1"),
                arguments("training.optimizer.type=adamw model.l2=0.001",
                        "training.optimizer.weight_decay: cannot be combined with model.l2 (0.001); set one of them "
                                + "to 0 (adamw decays by 0.01 unless told otherwise), got 0.01"),
                arguments("training.optimizer.schedule.type=cosine training.optimizer.schedule.gamma=0.5",
                        "training.optimizer.schedule.gamma: not used by schedule type cosine; it uses decay_iterations, "
                                + "min_learning_rate"),
                arguments("training.optimizer.schedule.type=step",
                        "training.optimizer.schedule.step_size: required"),
                arguments("training.optimizer.schedule.type=exponential training.optimizer.schedule.gamma=1.5",
                        "training.optimizer.schedule.gamma: must be in (0, 1], got 1.5"),
                arguments("training.optimizer.schedule.type=linear",
                        "training.optimizer.schedule.type: unknown value 'linear'; allowed: constant, step, exponential, "
                                + "cosine, cosine_restarts"),
                arguments("training.optimizer.schedule.type=cosine training.optimizer.schedule.min_learning_rate=0.01",
                        "training.optimizer.schedule.min_learning_rate: must be below training.optimizer.learning_rate "
                                + "(0.001), got 0.01"),
                arguments("training.optimizer.schedule.warmup_iterations=-5",
                        "training.optimizer.schedule.warmup_iterations: expected a non-negative integer, got -5"),
                arguments("training.device=tpu",
                        "training.device: unknown value 'tpu'; allowed: cpu, gpu, auto"),
                arguments("training.averaging=model",
                        "training.averaging: unknown value 'model'; allowed: gradients, parameters"),
                arguments("training.averaging_frequency=8",
                        "training.averaging_frequency: only used with training.averaging: parameters (gradients are "
                                + "averaged every iteration), got 8"),
                arguments("training.average_updater_state=false",
                        "training.average_updater_state: only used with training.averaging: parameters (gradient "
                                + "averaging has one updater state)"),
                arguments("data.format=[csv]",
                        "data.format: unknown value [\"csv\"]; allowed: idx, csv, parquet, libsvm, table, delta, or a Spark data source name such as orc"),
                arguments("data.validation_fraction=1.5",
                        "data.validation_fraction: must be in [0, 1), got 1.5"),
                arguments("data.validation_fraction=abc",
                        "data.validation_fraction: expected a number, got \"abc\""),
                arguments("training={workers: 4, batch_size: 2}",
                        "training.batch_size: must be >= training.workers (4), got 2"),
                arguments("data.format=csv",
                        "data.label: required for format csv"),
                arguments("data.label=y",
                        "data.label: not allowed for format idx; only for csv, parquet, table, delta, other Spark sources"),
                arguments("data.header=false",
                        "data.header: not allowed for format idx; only for csv"),
                arguments("data.num_features=10",
                        "data.num_features: not allowed for format idx; only for libsvm"),
                arguments("data.scale=255",
                        "data.scale: only used with normalize: scale, got normalize: none"),
                arguments("data.normalize=zscore",
                        "data.normalize: unknown value 'zscore'; allowed: none, standard, minmax, scale"),
                arguments("data.train=",
                        "data.train: required"),
                arguments("data.train=42",
                        "data.train: expected a string, got 42"),
                arguments("data.train=\"  \"",
                        "data.train: must not be empty, got \"  \""),
                arguments("model.layers[1].type=dense",
                        "model.layers: the last layer must have type output"),
                arguments("model.layers[0].type=output",
                        "model.layers[0].loss: required for the output layer; allowed: mse, mae, huber, bce, mcxent, sparse_mcxent"),
                arguments("model.layers[0]={type: output, units: 3, loss: mse}",
                        "model.layers[0].type: only the last layer may have type output"),
                arguments("model.layers[0].loss=mse",
                        "model.layers[0].loss: not allowed on a dense layer; only the output layer has a loss"),
                arguments("model.layers[0].activation=softmax",
                        "model.layers[0].activation: softmax is only allowed on the output layer"),
                arguments("model.layers[1].activation=sigmoid",
                        "model.layers[1].activation: loss mcxent needs activation softmax, got sigmoid"),
                arguments("model.layers[1]={type: output, units: 1, loss: bce, activation: tanh}",
                        "model.layers[1].activation: loss bce needs activation sigmoid, got tanh"),
                arguments("model.layers[0].units=0",
                        "model.layers[0].units: expected a positive integer, got 0"),
                arguments("model.layers[0]=dense",
                        "model.layers[0]: expected a mapping with keys type, units, activation, loss, weight_init, "
                                + "dropout, filters, kernel, stride, padding, pooling, got \"dense\""),
                arguments("model.layers=[]",
                        "model.layers: required, at least one layer"),
                arguments("model.layers=",
                        "model.layers: required, at least one layer"),
                arguments("model.layers[0]={type: convolution, filters: 8, kernel: 3}",
                        "model.layers[0].type: convolution needs image input; set data.shape to [channels, height, "
                                + "width], got no data.shape"),
                arguments("data.shape=[28, 28]",
                        "data.shape: expected [channels, height, width], three positive integers, got [28, 28]"),
                arguments("data.shape=[1, 0, 28]",
                        "data.shape[1]: expected a positive integer, got 0"),
                arguments("model.layers[0].filters=8",
                        "model.layers[0].filters: not used by a dense layer; it takes units, activation, weight_init, "
                                + "dropout"),
                arguments("model.layers[0]={type: flatten, units: 3}",
                        "model.layers[0].units: not used by a flatten layer; it takes no other keys"),
                arguments("model.layers[0]={type: dropout}",
                        "model.layers[0].dropout: required"),
                arguments("model.layers[0]={type: dropout, dropout: 1}",
                        "model.layers[0].dropout: a dropout layer needs a rate in (0, 1), got 1"),
                arguments("model.layers[0].dropout=1.5",
                        "model.layers[0].dropout: must be in [0, 1), got 1.5"),
                arguments("model.layers[0]={type: conv, filters: 8}",
                        "model.layers[0].kernel: required"),
                arguments("model.layers[0]={type: pooling, pooling: median}",
                        "model.layers[0].pooling: unknown value 'median'; allowed: max, avg"),
                arguments("model.layers[0]={type: pooling, kernel: [2, 2, 2]}",
                        "model.layers[0].kernel: expected a positive integer or [height, width], got [2,2,2]"),
                arguments("model.layers=[{units: 8}, {type: pooling}, {type: output, units: 2, loss: mcxent}]",
                        "model.layers[1].type: pooling needs images, but model.layers[0] (dense) already turned them "
                                + "into vectors"),
                arguments("model.dl4j_json=/nets/resnet.json",
                        "model.dl4j_json: not allowed together with model.layers; the JSON defines the whole network, "
                                + "give one of the two"),
                arguments("model={dl4j_json: /nets/resnet.json, l2: 0.1}",
                        "model.l2: not used with model.dl4j_json (the JSON holds its own regularisation), got 0.1"),
                arguments("model.l2=-0.5",
                        "model.l2: must be >= 0, got -0.5"),
                arguments("training.optimizer.learning_rate=0",
                        "training.optimizer.learning_rate: must be > 0, got 0"),
                arguments("training.optimizer.beta2=1",
                        "training.optimizer.beta2: must be in [0, 1), got 1"),
                arguments("training.optimizer.epsilon=-1e-8",
                        "training.optimizer.epsilon: must be > 0, got -1.0E-8"),
                arguments("training.optimizer=adam",
                        "training.optimizer: expected a mapping with keys type, learning_rate, momentum, beta1, beta2, "
                                + "epsilon, rho, weight_decay, clip_norm, clip_value, schedule, got \"adam\""),
                arguments("checkpoint.resume=maybe",
                        "checkpoint.resume: expected true or false, got \"maybe\""),
                arguments("checkpoint.keep=0",
                        "checkpoint.keep: expected a positive integer, got 0"),
                arguments("output.dir=",
                        "output.dir: required"),
                arguments("training.epochs",
                        "malformed override 'training.epochs': expected key=value, e.g. training.epochs=3"),
                arguments("training..epochs=3",
                        "malformed override 'training..epochs=3': bad key 'training..epochs'; expected a dotted path "
                                + "such as model.layers[0].units"),
                arguments("model.layers[5].units=3",
                        "cannot apply override 'model.layers[5].units=3': index 5 is out of range; 'model.layers' has "
                                + "2 entries"),
                arguments("output.dir.sub=x",
                        "cannot apply override 'output.dir.sub=x': 'output.dir' is the value \"/tmp/run\", "
                                + "not a mapping"),
                arguments("model.layers.units=3",
                        "cannot apply override 'model.layers.units=3': 'model.layers' is a list, not a mapping"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOverrides")
    void badOverrideIsRejectedWithItsMessage(String override, String message) {
        assertMessage(message, () -> Specs.parse(Specs.MINIMAL, override.split(" (?=[a-z_.0-9]+=)")));
    }

    /** A bad spec text and the message it must give. */
    static Stream<Arguments> badTexts() {
        return Stream.of(
                arguments("", "data.format: required; allowed: idx, csv, parquet, libsvm, table, delta, or a Spark data source name such as orc"),
                arguments("""
                        data: {format: idx, train: /d}
                        model: {layers: [{type: output, units: 10, loss: mcxent}]}
                        """, "output.dir: required"),
                arguments("""
                        data: {format: idx}
                        """, "data.train: required"),
                arguments("[1, 2]",
                        "spec.yaml: expected a mapping with keys data, model, training, output, checkpoint, early_stopping, monitoring, registry, retrain, got [1,2]"),
                arguments("""
                        data: {format: idx, train: /d}
                        model: {layers: [{type: output, units: 10, loss: mcxent}]}
                        training: 5
                        """, "training: expected a mapping with keys workers, batch_size, epochs, seed, optimizer, "
                        + "epoch_retries, collective_timeout_seconds, averaging, averaging_frequency, "
                        + "average_updater_state, on_divergence, device, allreduce_encryption, got 5"),
                arguments("""
                        data:
                          format: idx
                          format: csv
                        """, "spec.yaml:3:9: duplicate key 'format'"),
                arguments("""
                        data:
                          format: idx
                         train: /d
                        """, "spec.yaml:3:2: YAML syntax error: while parsing a block mapping; expected <block end>, but found "
                        + "'<block mapping start>'"),
                arguments("""
                        data: format: idx
                        """, "spec.yaml:1:13: YAML syntax error: mapping values are not allowed here"),
                arguments("""
                        data: {format: idx, train: [/a, /b}
                        """, "spec.yaml:1:35: YAML syntax error: while parsing a flow sequence; "
                        + "expected ',' or ']', but got }"),
                arguments("""
                        data: {format: idx}
                        ---
                        model: {}
                        """, "spec.yaml: expected one YAML document, found more than one ('---')"),
                arguments("""
                        data: {format: csv, train: /d, label: y, features: a}
                        """, "data.features: expected a list of strings, got \"a\""),
                arguments("""
                        data: {format: csv, train: /d, label: y, features: [a, 3]}
                        """, "data.features[1]: expected a string, got 3"),
                arguments("""
                        data: {format: csv, train: /d, label: y, features: [a, y]}
                        """, "data.features: must not contain the label column 'y'"),
                arguments("""
                        data: {format: csv, train: /d, label: y, features: [a, b, a]}
                        """, "data.features: column 'a' is listed twice"),
                arguments("""
                        data: {format: csv, train: /d, label: y, header: "yes please"}
                        """, "data.header: expected true or false, got \"yes please\""),
                arguments("""
                        data: {format: idx, train: /d}
                        model: {layers: {units: 3}}
                        """, "model.layers: expected a list, got {\"units\":3}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badTexts")
    void badTextIsRejectedWithItsMessage(String yaml, String message) {
        assertMessage(message, () -> Specs.parse(yaml));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("y.yaml");
        assertMessage("spec file not found: " + missing, () -> SpecLoader.load(missing, List.of()));
    }

    @Test
    void directoryIsNotASpecFile(@TempDir Path dir) {
        assertMessage("spec file is a directory: " + dir, () -> SpecLoader.load(dir, List.of()));
    }

    @Test
    void recordsBuiltInCodeAreCheckedWithTheSameWords() {
        OptimizerSpec adam = SpecDefaults.optimizer(OptimizerType.ADAM);
        assertMessage("training.batch_size: must be >= training.workers (4), got 2",
                () -> new TrainingSpec(4, 2, 1, 1, adam, 0, 1, Averaging.Mode.GRADIENTS, 1, true, OnDivergence.STOP,
                        DeviceMode.AUTO, AllReduceEncryption.AUTO));
        assertMessage("data.validation_fraction: must be in [0, 1), got 1",
                () -> new DataSpec(DataFormat.IDX, "/d", null, null, List.of(), true, 1.0, Normalization.NONE, 1, 0));
        assertMessage("model.layers: the last layer must have type output",
                () -> new ModelSpec(List.of(LayerSpec.dense(3, Activation.RELU)), 0));
        assertMessage("checkpoint.keep: expected a positive integer, got 0", () -> new CheckpointSpec("/c", 0, true));
        assertMessage("output.dir: required", () -> new OutputSpec(null));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
        SpecException error = assertThrows(SpecException.class, action);
        assertEquals(expected, error.getMessage());
        assertFalse(error.getMessage().contains("\n"), "one line");
    }
}
