package dptrain.worker.step;

import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The parameter update alone, DL4J's against the fused one, for the Fashion-MNIST MLP's 235,146
 * parameters with one optimizer: {@code java -cp ... dptrain.worker.step.UpdateProfile
 * [sgd|momentum|nesterov|rmsprop|adam|adagrad] [iterations]}. Prints the median microseconds of
 * each over the second half of the iterations, both fed the same gradient sums.
 */
public final class UpdateProfile {

    private static final int ROWS = 32;

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "rmsprop";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Network dl4j = mlp(updater(name));
        Network fusedNet = mlp(updater(name));
        int length = Math.toIntExact(dl4j.numParams());
        float[] sums = new float[length];
        Random random = new Random(1);
        for (int i = 0; i < length; i++) {
            sums[i] = (float) random.nextGaussian();
        }
        for (Network net : new Network[] {dl4j, fusedNet}) { // the gradient views exist after a first backward pass
            net.computeGradientAndScore(Nd4j.zeros(DataType.FLOAT, 1, 784), Nd4j.zeros(DataType.FLOAT, 1, 10));
        }
        GradientClipping none = GradientClipping.NONE;
        StepStatistics statistics = new StepStatistics(0);
        Dl4jParameterUpdate dl4jUpdate = new Dl4jParameterUpdate(dl4j, none, statistics, BatchNormStatistics.of(dl4j));
        Dl4jParameterUpdate first = new Dl4jParameterUpdate(fusedNet, none, statistics,
                BatchNormStatistics.of(fusedNet));
        dl4jUpdate.apply(sums.clone(), ROWS, 0, 0);
        first.apply(sums.clone(), ROWS, 0, 0);
        ParameterUpdate fused = new FusedParameterUpdate(FusedUpdate.forNetwork(fusedNet).orElseThrow(), fusedNet,
                none, statistics);
        long[] dl4jNanos = new long[iterations];
        long[] fusedNanos = new long[iterations];
        float[] scratch = new float[length];
        for (int i = 1; i <= iterations; i++) {
            System.arraycopy(sums, 0, scratch, 0, length);
            long t0 = System.nanoTime();
            dl4jUpdate.apply(scratch, ROWS, i, 0);
            long t1 = System.nanoTime();
            System.arraycopy(sums, 0, scratch, 0, length);
            long t2 = System.nanoTime();
            fused.apply(scratch, ROWS, i, 0);
            long t3 = System.nanoTime();
            dl4jNanos[i - 1] = t1 - t0;
            fusedNanos[i - 1] = t3 - t2;
        }
        fused.storeState();
        System.out.println(name + ", " + length + " parameters: DL4J's update " + median(dl4jNanos) + " us, fused "
                + median(fusedNanos) + " us per iteration (medians of the last " + iterations / 2
                + "); parameters equal: "
                + Arrays.equals(dl4j.params().toFloatVector(), fusedNet.params().toFloatVector()));
    }

    private static IUpdater updater(String name) {
        return switch (name) {
            case "sgd" -> new Sgd(0.01);
            case "momentum" -> new Momentum(0.01, 0.9);
            case "nesterov" -> new Nesterovs(0.01, 0.9);
            case "rmsprop" -> new RmsProp(1e-3, 0.95, 1e-8);
            case "adam" -> new Adam(1e-3);
            case "adagrad" -> new AdaGrad(0.01, 1e-6);
            default -> throw new IllegalArgumentException("optimizer: unknown value '" + name
                    + "'; use sgd, momentum, nesterov, rmsprop, adam or adagrad");
        };
    }

    /** StepProfile's MLP (784-256-128-10) with {@code updater} and L2, initialised. */
    private static Network mlp(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(updater).l2(1e-4).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(128).nOut(10).activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER).build())
                .build();
        Network net = Network.fromJson(conf.toJson());
        net.init();
        return net;
    }

    private static long median(long[] nanos) {
        long[] tail = Arrays.copyOfRange(nanos, nanos.length / 2, nanos.length);
        Arrays.sort(tail);
        return tail[tail.length / 2] / 1000;
    }
}
