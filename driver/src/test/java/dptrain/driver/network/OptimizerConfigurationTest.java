package dptrain.driver.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecLoader;
import dptrain.worker.schedule.CosineDecay;
import dptrain.worker.schedule.LinearWarmup;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.StepSettings;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/** The spec's optimizer as DL4J updater, regularisation and schedule, and as the workers' step settings. */
class OptimizerConfigurationTest {

    private static final String SPEC = """
            data: {format: csv, train: /data/train.csv, label: y}
            model:
              layers:
                - {units: 5}
                - {type: output, units: 3, loss: mcxent}
            output: {dir: /tmp/run}
            """;

    @Test
    void adagradAndAdamwAreDl4jUpdaters() {
        IUpdater adagrad = NetworkFactory.updater(spec("training.optimizer.type=adagrad",
                "training.optimizer.epsilon=1e-6").training().optimizer());
        assertEquals(new AdaGrad(0.01, 1e-6), adagrad);
        IUpdater adamw = NetworkFactory.updater(spec("training.optimizer.type=adamw",
                "training.optimizer.beta2=0.99").training().optimizer());
        assertEquals(new Adam(0.001, 0.9, 0.99, 1e-8), adamw);
    }

    /**
     * Decoupled weight decay: from the same start and batch, one AdamW step differs from one Adam
     * step by exactly {@code -lr * weight_decay * w} on weights and not at all on biases (coupled
     * L2 would go through Adam's moments and normalisation instead).
     */
    @Test
    void adamwDecaysTheWeightsBesideTheAdamStep() {
        double learningRate = 0.01;
        double weightDecay = 0.1;
        MultiLayerNetwork adam = network(spec("training.optimizer.type=adam",
                "training.optimizer.learning_rate=" + learningRate));
        MultiLayerNetwork adamw = network(spec("training.optimizer.type=adamw",
                "training.optimizer.learning_rate=" + learningRate, "training.optimizer.weight_decay=" + weightDecay));
        adamw.setParams(adam.params().dup());
        INDArray start = adam.params().dup();
        DataSet batch = batch();
        adam.fit(batch);
        adamw.fit(batch);
        for (String key : List.of("0_W", "0_b", "1_W", "1_b")) {
            // compare the segments of the flattened parameter vectors (one layout for all three)
            float[] before = segment(start, adam, key);
            float[] afterAdam = segment(adam.params(), adam, key);
            float[] afterAdamw = segment(adamw.params(), adam, key);
            double factor = key.endsWith("_W") ? learningRate * weightDecay : 0;
            for (int i = 0; i < before.length; i++) {
                assertEquals(afterAdam[i] - factor * before[i], afterAdamw[i], 1e-7, key + "[" + i + "]");
            }
        }
        double decay = start.sub(adam.params()).sub(start.sub(adamw.params())).amaxNumber().doubleValue();
        assertTrue(decay > 1e-5, "weight decay changed nothing");
    }

    @Test
    void scheduleTravelsWithTheUpdater() {
        IUpdater updater = NetworkFactory.updater(spec("training.optimizer.type=sgd",
                "training.optimizer.learning_rate=0.1",
                "training.optimizer.schedule={type: cosine, warmup_iterations: 10, min_learning_rate: 0.001}")
                .training().optimizer().forRun(110));
        assertInstanceOf(LinearWarmup.class, ((org.nd4j.linalg.learning.config.Sgd) updater).getLearningRateSchedule());
        assertEquals(new LinearWarmup(10, new CosineDecay(0.1, 100, 0.001)),
                ((org.nd4j.linalg.learning.config.Sgd) updater).getLearningRateSchedule());
        assertEquals(0.05, updater.getLearningRate(5, 0), 1e-15);
        assertEquals(0.1, updater.getLearningRate(10, 0), 1e-15);
        assertEquals(0.0505, updater.getLearningRate(60, 0), 1e-15);
        assertEquals(0.001, updater.getLearningRate(500, 0), 1e-15);
    }

    /** A rollback after a divergence lowers a scheduled rate at every iteration, warm-up included. */
    @Test
    void learningRateScaleScalesASchedule() {
        JobSpec spec = spec("training.optimizer.type=adamw", "training.optimizer.learning_rate=0.01",
                "training.optimizer.schedule={type: step, warmup_iterations: 4, step_size: 10, gamma: 0.5}");
        String json = NetworkFactory.configuration(spec.model(), spec.training().optimizer(), 4, 3).toJson();
        MultiLayerConfiguration halved = MultiLayerConfiguration.fromJson(LearningRateScale.apply(json, 0.5));
        IUpdater updater = ((org.deeplearning4j.nn.conf.layers.BaseLayer) halved.getConf(0).getLayer()).getIUpdater();
        assertEquals(0.0025, updater.getLearningRate(2, 0), 1e-15);
        assertEquals(0.005, updater.getLearningRate(4, 0), 1e-15);
        assertEquals(0.0025, updater.getLearningRate(14, 0), 1e-15);
        MultiLayerConfiguration quartered = MultiLayerConfiguration.fromJson(
                LearningRateScale.apply(LearningRateScale.apply(json, 0.5), 0.5));
        assertEquals(0.0025, ((org.deeplearning4j.nn.conf.layers.BaseLayer) quartered.getConf(1).getLayer())
                .getIUpdater().getLearningRate(4, 0), 1e-15);
    }

    @Test
    void constantRateStaysAPlainNumber() {
        IUpdater updater = NetworkFactory.updater(spec("training.optimizer.type=sgd").training().optimizer());
        assertEquals(new org.nd4j.linalg.learning.config.Sgd(0.01), updater);
    }

    @Test
    void stepSettingsFollowTheSpec() {
        assertEquals(StepSettings.DEFAULT, NetworkFactory.stepSettings(spec().training(), 0));
        assertEquals(new StepSettings(Averaging.parameters(8, false), GradientClipping.norm(1.5), 50),
                NetworkFactory.stepSettings(spec("training.averaging=parameters", "training.averaging_frequency=8",
                        "training.average_updater_state=false", "training.optimizer.clip_norm=1.5").training(), 50));
        assertEquals(GradientClipping.value(0.2), NetworkFactory.stepSettings(
                spec("training.optimizer.clip_value=0.2").training(), 0).clipping());
    }

    private static JobSpec spec(String... overrides) {
        return SpecLoader.parse(SPEC, "spec.yaml", List.of(overrides));
    }

    private static MultiLayerNetwork network(JobSpec spec) {
        MultiLayerConfiguration configuration = NetworkFactory.configuration(spec.model(), spec.training().optimizer(),
                4, 3);
        MultiLayerNetwork net = new MultiLayerNetwork(configuration);
        net.init();
        return net;
    }

    private static float[] segment(INDArray flat, MultiLayerNetwork net, String key) {
        long from = net.getParam(key).offset() - net.params().offset();
        return flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + net.getParam(key).length())).toFloatVector();
    }

    private static DataSet batch() {
        INDArray features = Nd4j.rand(DataType.FLOAT, 8, 4).subi(0.5);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        return new DataSet(features, labels);
    }
}
