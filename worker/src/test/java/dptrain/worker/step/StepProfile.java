package dptrain.worker.step;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Where one rank's iteration of the Fashion-MNIST MLP (784-256-128-10, Adam) goes, phase by phase,
 * without a collective: {@code java -cp ... dptrain.worker.step.StepProfile [rows] [iterations]}.
 * Prints the median microseconds of each phase of the step (the all-reduce aside).
 */
public final class StepProfile {

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Network net = mlp();
        int batches = 64;
        INDArray[] featureSet = new INDArray[batches];
        INDArray[] labelSet = new INDArray[batches];
        randomBatches(rows, 1, featureSet, labelSet);
        net.computeGradientAndScore(featureSet[0], labelSet[0]);
        net.applyUpdate(rows, 0, 0);
        DenseGradients dense = DenseGradients.forNetwork(net).orElseThrow();
        FusedUpdate fused = FusedUpdate.forNetwork(net).orElseThrow();
        fused.load(net.params().data().asNioFloat(), net.updater().getStateViewArray().data().asNioFloat());
        int length = Math.toIntExact(net.numParams());
        float[] exchange = new float[length + 1];
        String[] phases = {"backward", "copy out", "sum of squares", "fused update", "copy params in"};
        long[][] nanos = new long[phases.length][iterations];
        double squares = 0;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            dense.lossSum(featureSet[i % batches], labelSet[i % batches]);
            long t1 = System.nanoTime();
            net.flattenedGradients().data().asNioFloat().get(exchange, 0, length);
            long t2 = System.nanoTime();
            squares += SumOfSquares.of(exchange, length);
            long t3 = System.nanoTime();
            fused.apply(exchange, rows, 1f, Float.POSITIVE_INFINITY, i + 1, 0);
            long t4 = System.nanoTime();
            fused.storeParams(net.params().data().asNioFloat());
            long t5 = System.nanoTime();
            if ((i + 1) % TinyValues.FLUSH_EVERY == 0) {
                fused.flushTinyValues();
            }
            long[] times = {t0, t1, t2, t3, t4, t5};
            for (int phase = 0; phase < phases.length; phase++) {
                nanos[phase][i] = times[phase + 1] - times[phase];
            }
        }
        StringBuilder line = new StringBuilder("rows " + rows + ":");
        for (int phase = 0; phase < phases.length; phase++) {
            line.append(' ').append(phases[phase]).append(' ').append(median(nanos[phase])).append(" us,");
        }
        System.out.println(line + " medians of the last " + iterations / 2 + " (squares " + (float) squares + ")");
    }

    /** The Fashion-MNIST MLP, 784-256-128-10 with Adam, initialised. */
    public static Network mlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(128).nOut(10).activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER).build())
                .build();
        Network net = Network.fromJson(conf.toJson());
        net.init();
        return net;
    }

    /** Fills the arrays with batches of {@code rows} random pixels and one-hot random labels. */
    public static void randomBatches(int rows, long seed, INDArray[] features, INDArray[] labels) {
        java.util.Random random = new java.util.Random(seed);
        for (int b = 0; b < features.length; b++) {
            features[b] = Nd4j.rand(DataType.FLOAT, rows, 784);
            labels[b] = Nd4j.zeros(DataType.FLOAT, rows, 10);
            for (int r = 0; r < rows; r++) {
                labels[b].putScalar(r, random.nextInt(10), 1f);
            }
        }
    }

    private static long median(long[] nanos) {
        long[] tail = Arrays.copyOfRange(nanos, nanos.length / 2, nanos.length);
        Arrays.sort(tail);
        return tail[tail.length / 2] / 1000;
    }
}
