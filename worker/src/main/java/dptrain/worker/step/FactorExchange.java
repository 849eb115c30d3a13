package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Gradient averaging for a dense stack that sends the factors of the large weight gradients
 * instead of the gradients (sufficient-factor exchange).
 *
 * <p>A dense layer's weight gradient summed over a batch is {@code A^T D}: its input {@code A}
 * ({@code rows x fanIn}) times its delta {@code D} ({@code rows x fanOut}); its bias gradient is
 * the column sums of {@code D}. The sum over the ranks' parts is the same product over the parts
 * stacked: {@code [A_0; A_1; ...]^T [D_0; D_1; ...]}. So instead of all-reducing the
 * {@code fanIn x fanOut} gradient, the ranks gather each other's {@code A} and {@code D} and every
 * rank multiplies the stacked factors itself. For the Fashion-MNIST MLP's first layer (784 x 256)
 * and a global batch of 64 that is 66,560 floats gathered instead of 200,704 all-reduced; the price is that every rank
 * multiplies the whole global batch for that layer, as one process would.
 *
 * <p>Each rank writes its factors into its own slot ({@code maxPartRows} rows per rank, short parts
 * padded with zero rows, which add nothing to the product) and an all-gather gives every rank every
 * slot; the layers whose gradients are small are all-reduced as gradient sums, with the loss. A
 * layer goes as factors only where all ranks' factors take at most as many floats as its gradient:
 * an all-gather moves each float once around the ring, an all-reduce twice, so that at least halves
 * the traffic for the layer, which pays for multiplying the whole global batch.
 *
 * <p>Every rank multiplies the same gathered bits, so the ranks stay bit-identical as long as
 * their matrix products give the same bits; {@link #ranksAgree} checks that once, on the real
 * shapes, before the first use (executors on different CPU types or thread counts may not), and
 * where they do not the gradients are all-reduced as usual.
 */
final class FactorExchange {

    private final DenseGradients dense;
    private final int rank;
    private final int ranks;
    private final int slotRows;
    /** Which layers go as factors, and their gathered inputs and deltas ({@code ranks * slotRows} rows, 'c' order). */
    private final boolean[] factored;
    private final INDArray[] inputs;
    private final INDArray[] deltas;
    /** The ranges {@code [from, to)} of the flattened gradient that go as gradient sums. */
    private final List<int[]> sums = new ArrayList<>();
    /** One slot per rank: its factors, layer by layer (input rows, then delta rows), {@code slotRows} rows each. */
    private final float[] gathered;
    private final int slotLength;
    /** The other gradients' sums, then the loss. */
    private final float[] summed;

    private FactorExchange(DenseGradients dense, boolean[] factored, int rank, int ranks, int slotRows,
                           INDArray gradientView) {
        this.dense = dense;
        this.factored = factored;
        this.rank = rank;
        this.ranks = ranks;
        this.slotRows = slotRows;
        int layers = dense.layers();
        inputs = new INDArray[layers];
        deltas = new INDArray[layers];
        long slot = 0;
        List<int[]> left = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            if (factored[i]) {
                inputs[i] = Nd4j.create(DataType.FLOAT, new long[] {(long) ranks * slotRows, dense.fanIn(i)}, 'c');
                deltas[i] = Nd4j.create(DataType.FLOAT, new long[] {(long) ranks * slotRows, dense.fanOut(i)}, 'c');
                slot += (long) slotRows * (dense.fanIn(i) + dense.fanOut(i));
                left.add(range(dense.weightGradient(i), gradientView));
                left.add(range(dense.biasGradient(i), gradientView));
            }
        }
        left.sort((a, b) -> Integer.compare(a[0], b[0]));
        int at = 0;
        for (int[] hole : left) {
            if (hole[0] > at) {
                sums.add(new int[] {at, hole[0]});
            }
            at = Math.max(at, hole[1]);
        }
        if (at < gradientView.length()) {
            sums.add(new int[] {at, Math.toIntExact(gradientView.length())});
        }
        long length = 1; // the loss
        for (int[] range : sums) {
            length += range[1] - range[0];
        }
        slotLength = Math.toIntExact(slot);
        gathered = new float[Math.multiplyExact(slotLength, ranks)];
        summed = new float[Math.toIntExact(length)];
    }

    /**
     * The exchange for {@code dense} among {@code ranks} ranks whose parts have at most
     * {@code maxPartRows} rows, or empty where no layer's factors (all ranks') would take at most as
     * many floats as its gradient (always with one rank).
     */
    static Optional<FactorExchange> plan(DenseGradients dense, int rank, int ranks, int maxPartRows,
                                         INDArray gradientView) {
        if (ranks < 2 || maxPartRows < 1) {
            return Optional.empty();
        }
        boolean[] factored = new boolean[dense.layers()];
        boolean any = false;
        for (int i = 0; i < factored.length; i++) {
            long factors = (long) ranks * maxPartRows * (dense.fanIn(i) + dense.fanOut(i));
            factored[i] = factors <= dense.fanIn(i) * dense.fanOut(i);
            any |= factored[i];
        }
        return any ? Optional.of(new FactorExchange(dense, factored, rank, ranks, maxPartRows, gradientView))
                : Optional.empty();
    }

    /** Which layers go as factors. */
    boolean[] factoredLayers() {
        return factored.clone();
    }

    /**
     * Whether every rank's matrix products (and bias sums) of the gathered shapes give the same
     * bits: each rank multiplies the same made-up factors and the ranks compare a hash of the results. A collective
     * call: every rank must make it at the same point.
     */
    boolean ranksAgree(Collective collective) {
        int hash = 17;
        for (int i = 0; i < factored.length; i++) {
            if (factored[i]) {
                fill(inputs[i], 1 + i);
                fill(deltas[i], 2 + i);
                INDArray product = Nd4j.create(DataType.FLOAT, new long[] {dense.fanIn(i), dense.fanOut(i)}, 'f');
                Nd4j.gemm(inputs[i], deltas[i], product, true, false, 1.0, 0.0);
                hash = 31 * hash + Arrays.hashCode(product.data().asFloat());
                hash = 31 * hash + Arrays.hashCode(deltas[i].sum(0).data().asFloat());
            }
        }
        // 16-bit halves: exact in float, and sums of zeros and one value stay exact
        float[] hashes = new float[2 * ranks];
        hashes[2 * rank] = hash >>> 16;
        hashes[2 * rank + 1] = hash & 0xFFFF;
        collective.allReduceSum(hashes);
        for (int r = 0; r < ranks; r++) {
            if (hashes[2 * r] != hashes[0] || hashes[2 * r + 1] != hashes[1]) {
                return false;
            }
        }
        return true;
    }

    /** Deterministic values in [-1, 1), the same on every rank. */
    private static void fill(INDArray array, int seed) {
        FloatBuffer values = TrainingStep.floats(array);
        long x = seed;
        for (int i = 0, n = (int) array.length(); i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            values.put(i, (int) (x >>> 40) / (float) (1 << 23) - 1f);
        }
        TrainingStep.wroteOnHost(array);
    }

    /**
     * One exchange: this rank's backward pass over its part (without the factored layers'
     * gradients), the all-gather of the factors and the all-reduce of the other gradients and the
     * loss, then the factored gradients from the gathered factors. Leaves the global batch's gradient
     * sums in the first {@code gradientLength} elements of {@code exchange} (and in the network's
     * gradient view) and the loss sum after them.
     *
     * @param rows this rank's part, may be 0 (features and labels are then not read)
     */
    void exchange(INDArray features, INDArray labels, int rows, Collective collective, INDArray gradientView,
                  float[] exchange, int gradientLength) {
        FloatBuffer gradients = TrainingStep.floats(gradientView);
        int loss = summed.length - 1;
        if (rows > 0) {
            summed[loss] = (float) dense.lossSum(features, labels, factored);
            int at = 0;
            for (int[] range : sums) {
                gradients.get(range[0], summed, at, range[1] - range[0]);
                at += range[1] - range[0];
            }
        } else {
            Arrays.fill(summed, 0f);
        }
        int at = rank * slotLength;
        for (int i = 0; i < factored.length; i++) {
            if (factored[i]) {
                at = pack(rows > 0 ? dense.lastInput(i) : null, inputs[i], rows, at);
                at = pack(rows > 0 ? dense.lastDelta(i) : null, deltas[i], rows, at);
            }
        }
        collective.allGather(gathered);
        collective.allReduceSum(summed);
        for (int r = 0; r < ranks; r++) {
            at = r * slotLength;
            for (int i = 0; i < factored.length; i++) {
                if (factored[i]) {
                    at = unpack(inputs[i], r, at);
                    at = unpack(deltas[i], r, at);
                }
            }
        }
        at = 0;
        for (int[] range : sums) {
            gradients.put(range[0], summed, at, range[1] - range[0]);
            at += range[1] - range[0];
        }
        for (int i = 0; i < factored.length; i++) {
            if (factored[i]) {
                Nd4j.gemm(inputs[i], deltas[i], dense.weightGradient(i), true, false, 1.0, 0.0);
                deltas[i].sum(dense.biasGradient(i), 0);
            }
        }
        TrainingStep.wroteOnHost(gradientView);
        gradients.get(0, exchange, 0, gradientLength);
        exchange[gradientLength] = summed[loss];
    }

    /**
     * Copies this rank's {@code rows x width} factor ({@code null}: none) into its rows of
     * {@code stacked}, the rows up to {@code slotRows} zeroed, and from there into its slot of
     * {@link #gathered} at {@code at}; returns the position after it.
     */
    private int pack(INDArray local, INDArray stacked, int rows, int at) {
        long width = stacked.size(1);
        long first = (long) rank * slotRows;
        if (rows > 0) {
            stacked.get(NDArrayIndex.interval(first, first + rows), NDArrayIndex.all()).assign(local);
        }
        if (rows < slotRows) {
            stacked.get(NDArrayIndex.interval(first + rows, first + slotRows), NDArrayIndex.all()).assign(0);
        }
        int length = Math.toIntExact(slotRows * width);
        TrainingStep.floats(stacked).get(Math.toIntExact(first * width), gathered, at, length);
        return at + length;
    }

    /** Copies rank {@code r}'s rows of {@code stacked} out of its slot of {@link #gathered} at {@code at}. */
    private int unpack(INDArray stacked, int r, int at) {
        long width = stacked.size(1);
        int length = Math.toIntExact(slotRows * width);
        TrainingStep.floats(stacked).put(Math.toIntExact((long) r * slotRows * width), gathered, at, length);
        TrainingStep.wroteOnHost(stacked);
        return at + length;
    }

    /** The range of {@code view} within the flattened {@code whole} (both row vectors of one buffer). */
    private static int[] range(INDArray view, INDArray whole) {
        int from = Math.toIntExact(view.offset() - whole.offset());
        return new int[] {from, from + Math.toIntExact(view.length())};
    }
}
