package dptrain.worker.collective;

import dptrain.worker.step.Network;
import dptrain.worker.step.StepProfile;
import dptrain.worker.step.StepSettings;
import dptrain.worker.step.StepStatistics;
import dptrain.worker.step.TrainingStep;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where an iteration of the Fashion-MNIST MLP goes when {@code ranks} ranks run as threads of one
 * JVM over the loopback ring, without Spark:
 * {@code java -cp ... dptrain.worker.collective.RingStepProfile [rows] [iterations] [ranks] [split|whole] [memory|ring]}.
 * Prints, per rank, the median (and mean) microseconds of the whole step, of the all-reduce and of
 * the rest. With {@code split}, every all-reduce is preceded by a one-float all-reduce, which
 * separates waiting for the slowest rank (the "wait" column) from moving the gradient. With
 * {@code memory}, the ranks (threads of this JVM) all-reduce through {@link LocalCollective}.
 */
public final class RingStepProfile {

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        int ranks = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        boolean split = args.length > 3 && args[3].equals("split");
        boolean memory = args.length > 4 && args[4].equals("memory");
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(ranks, java.time.Duration.ofSeconds(10));
        List<Collective> ring = Rings.onEveryRank(ranks, rank -> () -> GroupFormation.form(rank, ranks,
                rendezvous.forRank(rank), Rings.settings(),
                memory ? GroupFormation.SameJvm.IN_MEMORY : GroupFormation.SameJvm.TCP_RING))
                .stream().map(Rings.Outcome::value).toList();
        try {
            List<Rings.Outcome<String>> lines = Rings.onEveryRank(ranks,
                    rank -> () -> profile(ring.get(rank), rows, iterations, split));
            for (Rings.Outcome<String> line : lines) {
                if (line.failure() != null) {
                    throw new AssertionError(line.failure());
                }
                System.out.println(line.value());
            }
        } finally {
            Rings.closeAll(ring);
        }
    }

    private static String profile(Collective collective, int rows, int iterations, boolean split) {
        Network net = StepProfile.mlp();
        int batches = 64;
        INDArray[] featureSet = new INDArray[batches];
        INDArray[] labelSet = new INDArray[batches];
        StepProfile.randomBatches(rows, 1 + collective.rank(), featureSet, labelSet);
        long[] inCollective = new long[1];
        long[] inBarrier = new long[1];
        Collective timed = new Collective() {
            @Override
            public int rank() {
                return collective.rank();
            }

            @Override
            public int size() {
                return collective.size();
            }

            @Override
            public void allReduceSum(float[] buffer) {
                long b0 = System.nanoTime();
                if (split) {
                    collective.allReduceSum(new float[1]);
                }
                inBarrier[0] += System.nanoTime() - b0;
                long begin = System.nanoTime();
                collective.allReduceSum(buffer);
                inCollective[0] += System.nanoTime() - begin;
            }

            @Override
            public void close() {
                collective.close();
            }
        };
        TrainingStep step = TrainingStep.forEpoch(net, timed, StepSettings.DEFAULT, new StepStatistics(0), iterations);
        long[] total = new long[iterations];
        long[] exchange = new long[iterations];
        long[] barrier = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long before = inCollective[0];
            long beforeBarrier = inBarrier[0];
            long t0 = System.nanoTime();
            step.step(featureSet[i % batches], labelSet[i % batches], rows * collective.size());
            total[i] = System.nanoTime() - t0;
            exchange[i] = inCollective[0] - before;
            barrier[i] = inBarrier[0] - beforeBarrier;
        }
        long[] rest = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            rest[i] = total[i] - exchange[i] - barrier[i];
        }
        return "rank " + collective.rank() + ", rows " + rows + ": step " + median(total) + " (" + mean(total)
                + ") us, all-reduce " + median(exchange) + " (" + mean(exchange) + ") us, wait " + median(barrier)
                + " (" + mean(barrier) + ") us, the rest " + median(rest) + " (" + mean(rest) + ") us; medians (means)"
                + " of the last " + iterations / 2;
    }

    private static long median(long[] nanos) {
        long[] tail = Arrays.copyOfRange(nanos, nanos.length / 2, nanos.length);
        Arrays.sort(tail);
        return tail[tail.length / 2] / 1000;
    }

    private static long mean(long[] nanos) {
        long sum = 0;
        for (int i = nanos.length / 2; i < nanos.length; i++) {
            sum += nanos[i];
        }
        return sum / (nanos.length - nanos.length / 2) / 1000;
    }
}
