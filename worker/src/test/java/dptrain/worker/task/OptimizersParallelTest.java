package dptrain.worker.task;

import dptrain.worker.step.Momentum;
import dptrain.worker.testing.SharedMemoryCollective;
import dptrain.worker.testing.TinyNetworks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Every optimizer the spec offers, with L2, weight decay and a learning-rate schedule, through the
 * epoch runner on three ranks (parts of different sizes, a short last batch): the parameters and
 * updater state of single-process DL4J {@code net.fit} on the same global batches. From each
 * epoch's second iteration on, the ranks take the fused update ({@code FusedUpdateTest},
 * {@code SynchronizerTest}); the reference never does.
 */
class OptimizersParallelTest {

    private static final long SEED = 5;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("sgd", new Sgd(0.1)),
                Arguments.of("momentum", new Momentum(0.05, 0.9)),
                Arguments.of("nesterov", new Nesterovs(0.05, 0.9)),
                Arguments.of("rmsprop", new RmsProp(0.01, 0.95, 1e-8)),
                Arguments.of("adam", new Adam(0.01, 0.9, 0.999, 1e-8)),
                Arguments.of("adagrad", new AdaGrad(0.1, 1e-6)));
    }

    /** L2 before the updater, decoupled weight decay after it (Adam's row is the spec's adamw). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void threeRanksMatchSingleProcessDl4j(String name, IUpdater updater) throws Exception {
        updater.setLrAndSchedule(updater.getLearningRate(0, 0),
                new ExponentialSchedule(ScheduleType.ITERATION, updater.getLearningRate(0, 0), 0.98));
        DataParallelExactnessTest.assertSameAsSingleProcess(regularised(updater), new long[] {41, 37, 30}, 16, 8,
                SharedMemoryCollective::group);
    }

    /** {@link TinyNetworks#classifier} with L2 1e-3 and weight decay 1e-2 (times the rate) on every weight. */
    private static String regularised(IUpdater updater) {
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(TinyNetworks.classifier(updater, 1e-3, SEED));
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            BaseLayer base = (BaseLayer) layer.getLayer();
            List<Regularization> weights = new ArrayList<>(base.getRegularization());
            weights.add(new WeightDecay(1e-2, true));
            base.setRegularization(weights);
        }
        return conf.toJson();
    }
}
