package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The fused Java step must be DL4J's own updater step, to float rounding, for every case it takes. */
class FusedUpdateTest {

    private static final int STEPS = 120;
    private static final int BATCH = 24;

    /**
     * Bit for bit wherever each variable has at most one L2 and one weight-decay entry (every
     * network the spec builds); DL4J's builder lists weight decay twice, which the fused step
     * applies as one coefficient, equal to float rounding.
     */
    static Stream<Arguments> supported() {
        return Stream.of(
                exact("adam", stack(builder(new Adam(0.01)))),
                exact("adam, L2 on weights only", stack(builder(new Adam(0.01)).l2(1e-2))),
                exact("adam, L2 on biases too, beta2 0.99",
                        stack(builder(new Adam(0.005, 0.8, 0.99, 1e-6)).l2(1e-3).l2Bias(5e-3))),
                close("adam, weight decay times the rate", stack(builder(new Adam(0.01)).weightDecay(0.05, true))),
                close("adam, weight decay not times the rate", stack(builder(new Adam(0.01)).weightDecay(1e-3, false))),
                exact("adam, exponential schedule",
                        stack(builder(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.02, 0.9))))),
                exact("adam, own bias updater", stack(builder(new Adam(0.01)).biasUpdater(new Adam(0.03)))),
                exact("sgd", stack(builder(new Sgd(0.1)))),
                close("sgd, L2 and weight decay", stack(builder(new Sgd(0.1)).l2(1e-2).weightDecay(1e-3))),
                exact("adam with an sgd bias updater", stack(builder(new Adam(0.01)).biasUpdater(new Sgd(0.2)))),
                exact("adamw (adam, decoupled weight decay), L2, schedule",
                        regularised(new Adam(decaying(0.01)), true)),
                exact("sgd, L2, weight decay, schedule", regularised(new Sgd(decaying(0.1)), false)),
                exact("momentum, L2, weight decay, schedule",
                        regularised(scheduled(new Momentum(0.05, 0.9), 0.05), true)),
                exact("nesterov, L2, weight decay, schedules of rate and momentum", regularised(
                        new Nesterovs(decaying(0.05), new ExponentialSchedule(ScheduleType.ITERATION, 0.8, 1.002)),
                        true)),
                exact("rmsprop, L2, weight decay, schedule",
                        regularised(scheduled(new RmsProp(0.01, 0.9, 1e-7), 0.01), false)),
                exact("rmsprop with a nesterov bias updater",
                        stack(builder(new RmsProp(0.003)).l2(1e-3).biasUpdater(new Nesterovs(0.02, 0.7)))),
                // not AdaGrad(schedule, epsilon): in DL4J 1.0.0-M2 that constructor's updater gives NaN
                exact("adagrad, L2, weight decay, schedule",
                        regularised(scheduled(new AdaGrad(0.1, 1e-6), 0.1), true)));
    }

    private static Arguments exact(String name, String json) {
        return Arguments.of(name, json, true);
    }

    private static Arguments close(String name, String json) {
        return Arguments.of(name, json, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("supported")
    void equalsDl4jsUpdaterStep(String name, String json, boolean bitExact) {
        Network dl4j = Network.fromJson(json);
        Network fused = Network.fromJson(json);
        dl4j.init();
        fused.init();
        Random random = new Random(name.hashCode());
        int length = Math.toIntExact(dl4j.numParams());
        float[] sums = randomSums(random, length);
        // DL4J's first step initialises both updaters, as each epoch's first step does.
        dl4jStep(dl4j, sums, 0);
        dl4jStep(fused, sums, 0);
        FusedUpdate step = load(fused);
        for (int iteration = 1; iteration < STEPS; iteration++) {
            sums = randomSums(random, length);
            float[] updates = sums.clone();
            step.apply(updates, BATCH, 1f, Float.POSITIVE_INFINITY, iteration, 0);
            step.storeParams(host(fused.params()));
            dl4jStep(dl4j, sums, iteration);
            if (iteration == STEPS - 1) {
                assertMatches(dl4j.flattenedGradients(), FloatBuffer.wrap(updates), "the update left in the sums",
                        bitExact);
            }
            if (iteration == STEPS / 2) {
                // the state goes out to the network and comes back into a new step at the right offsets
                storeState(step, fused);
                step = load(fused);
            }
        }
        storeState(step, fused);
        assertMatches(dl4j.params(), host(fused.params()), "parameters", bitExact);
        if (dl4j.updater().getStateViewArray() != null) {
            assertMatches(dl4j.updater().getStateViewArray(), host(fused.updater().getStateViewArray()),
                    "updater state", bitExact);
        }
    }

    private static FusedUpdate load(Network net) {
        FusedUpdate step = FusedUpdate.forNetwork(net).orElseThrow();
        INDArray state = net.updater().getStateViewArray();
        step.load(host(net.params()), state == null ? null : host(state));
        return step;
    }

    private static void storeState(FusedUpdate step, Network net) {
        INDArray state = net.updater().getStateViewArray();
        if (state != null) {
            step.storeState(host(state));
        }
    }

    @Test
    void sumOfSquaresIsExactEnoughAndFiniteForAnyFiniteElements() {
        Random random = new Random(4);
        float[] values = randomSums(random, 100_003);
        double expected = 0;
        for (float value : values) {
            expected += (double) value * value;
        }
        assertEquals(expected, SumOfSquares.of(values, values.length), 1e-6 * expected);
        values[77_777] = 3e20f; // its square overflows float, not double
        assertTrue(Double.isFinite(SumOfSquares.of(values, values.length)));
        values[5] = Float.NaN;
        assertTrue(Double.isNaN(SumOfSquares.of(values, values.length)));
    }

    @Test
    void keepsDl4jsStepWhereItIsNotExactlyDl4jsStep() {
        for (NeuralNetConfiguration.Builder builder : new NeuralNetConfiguration.Builder[] {
                builder(new AdaDelta()), builder(new Nadam(0.01)), builder(new AdaGrad(0.1, 0)),
                builder(new Adam(0.01)).l1(1e-3)}) {
            assertTrue(unsupported(stack(builder, false)), builder.toString());
        }
        assertTrue(unsupported(stack(builder(new Adam(0.01)), true)), "batch normalization");
    }

    private static boolean unsupported(String json) {
        Network net = Network.fromJson(json);
        net.init();
        dl4jStep(net, randomSums(new Random(1), Math.toIntExact(net.numParams())), 0);
        return FusedUpdate.forNetwork(net).isEmpty();
    }

    private static NeuralNetConfiguration.Builder builder(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER)
                .updater(updater);
    }

    private static String stack(NeuralNetConfiguration.Builder builder) {
        return stack(builder, false);
    }

    /** A rate that shrinks every iteration, so that a step reading the wrong iteration's rate differs. */
    private static ISchedule decaying(double initial) {
        return new ExponentialSchedule(ScheduleType.ITERATION, initial, 0.99);
    }

    private static IUpdater scheduled(IUpdater updater, double initial) {
        updater.setLrAndSchedule(initial, decaying(initial));
        return updater;
    }

    /**
     * The stack with L2 (0.01 on weights, 0.002 on biases, the L2 coefficient itself following a
     * schedule) and then weight decay on every weight, one entry each, as the spec's networks have
     * them ({@code NetworkFactory.withWeightDecay}).
     */
    private static String regularised(IUpdater updater, boolean decayTimesRate) {
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(stack(builder(updater), false));
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            BaseLayer base = (BaseLayer) layer.getLayer();
            base.setRegularization(new ArrayList<>(List.of(
                    new L2Regularization(new ExponentialSchedule(ScheduleType.ITERATION, 0.01, 0.995)),
                    new WeightDecay(decayTimesRate ? 0.05 : 1e-3, decayTimesRate))));
            base.setRegularizationBias(new ArrayList<>(List.of(new L2Regularization(0.002))));
        }
        return conf.toJson();
    }

    private static String stack(NeuralNetConfiguration.Builder builder, boolean batchNorm) {
        NeuralNetConfiguration.ListBuilder list = builder.list()
                .layer(new DenseLayer.Builder().nIn(9).nOut(13).activation(Activation.RELU).build());
        if (batchNorm) {
            list.layer(new BatchNormalization.Builder().nOut(13).build());
        }
        MultiLayerConfiguration conf = list
                .layer(new DenseLayer.Builder().nIn(13).nOut(7).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(7).nOut(4).activation(Activation.SOFTMAX).build())
                .build();
        return conf.toJson();
    }

    /** Gradient sums of a batch of {@value #BATCH}, some of them large, some exactly zero. */
    private static float[] randomSums(Random random, int length) {
        float[] sums = new float[length];
        for (int i = 0; i < length; i++) {
            sums[i] = i % 11 == 0 ? 0f : (float) (random.nextGaussian() * (i % 5 == 0 ? 30 : 2));
        }
        return sums;
    }

    private static void dl4jStep(Network net, float[] sums, int iteration) {
        if (net.gradient() == null) { // the gradient views exist after a first backward pass
            net.computeGradientAndScore(Nd4j.zeros(DataType.FLOAT, 1, 9), Nd4j.zeros(DataType.FLOAT, 1, 4));
        }
        host(net.flattenedGradients()).put(sums, 0, sums.length);
        net.applyUpdate(BATCH, iteration, 0);
    }

    private static FloatBuffer host(INDArray array) {
        FloatBuffer buffer = array.data().asNioFloat();
        buffer.position(Math.toIntExact(array.offset()));
        return buffer.slice();
    }

    /** Equal bit for bit, or else within 1e-6 of the largest magnitude plus 1e-6 relative. */
    private static void assertMatches(INDArray expected, FloatBuffer actual, String what, boolean bitExact) {
        float[] values = expected.toFloatVector();
        float scale = 0;
        for (float value : values) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < values.length; i++) {
            String message = what + "[" + i + "]: DL4J " + values[i] + ", fused " + actual.get(i)
                    + " (scale " + scale + ")";
            if (bitExact) {
                assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(actual.get(i)), message);
            } else {
                float difference = Math.abs(values[i] - actual.get(i));
                assertTrue(difference <= 1e-6f * scale + 1e-6f * Math.abs(values[i]), message);
            }
        }
    }
}
