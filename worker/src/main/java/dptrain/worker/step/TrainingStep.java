package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One data-parallel iteration on one rank, under gradient averaging ({@link #apply}) or
 * parameter averaging ({@link #applyLocal} steps, then {@link #averageParameters}).
 *
 * <p>The maths of gradient averaging: DL4J's backward pass leaves in the flattened gradient view
 * the <em>sum</em> over the part's examples of the per-example loss gradient, and its updater
 * divides by the batch size it is given (then applies L2, Adam moments, ...). The gradient of the
 * whole global batch {@code B = union of the ranks' parts} is therefore
 * {@code (1/|B|) * sum over ranks of the per-rank sums}, whatever the part sizes. So each rank sums
 * its part, the collective adds the sums (no per-rank weights to get wrong, uneven and empty parts
 * included), the sum is written back into the gradient view, and every rank runs the same updater
 * with {@code |B|} as batch size and the same iteration number. Identical inputs on every rank give
 * identical parameters on every rank, and the same numbers as {@code net.fit(B)} on one machine.
 *
 * <p>Clipping acts on the averaged gradient after the all-reduce, before the updater, so N ranks
 * clip exactly what one machine would clip. The updater is split in two ({@link
 * Network#computeUpdate}, {@link Network#subtractUpdate}) so that the update itself can be watched.
 */
public final class TrainingStep {

    private final Network net;
    private final Collective collective;
    private final GradientClipping clipping;
    /** What this rank watches; {@code null} on ranks that watch nothing. */
    private final StepStatistics statistics;
    private final int gradientLength;
    /** The flattened gradient followed by this rank's data-loss sum. */
    private final float[] exchange;
    /** The dense fast path, once known to apply (empty: DL4J's own backward pass); null before the first pass. */
    private java.util.Optional<DenseGradients> dense;
    /** DL4J's updater step as one Java pass, once known to apply; null before the first DL4J step. */
    private java.util.Optional<FusedUpdate> fused;
    /** Whether the fused step holds updater state newer than the network's. */
    private boolean stateOnHeap;
    private double lastGradientNorm;

    /** Parameter averaging: rows this rank stepped on, and their loss sum, since the last average. */
    private long rowsSinceAverage;
    private double lossSinceAverage;
    /** Parameter averaging: parameters, updater state, row count and loss sum; created on first use. */
    private float[] averagingBuffer;
    private boolean parametersFinite = true;
    /** Batch-norm running statistics, exchanged as moments instead of updates (see that class). */
    private BatchNormStatistics batchNorm;
    /** This iteration's BN statistics updates, kept out of the gradient norm and clipping. */
    private float[] heldStatistics;

    public TrainingStep(Network net, Collective collective) {
        this(net, collective, GradientClipping.NONE, null);
    }

    /**
     * @param clipping   what bounds the averaged gradient
     * @param statistics where gradient norms, update ratios and probes go; {@code null} for none
     */
    public TrainingStep(Network net, Collective collective, GradientClipping clipping, StepStatistics statistics) {
        this.net = net;
        this.collective = collective;
        this.clipping = clipping;
        this.statistics = statistics;
        this.gradientLength = Math.toIntExact(net.numParams());
        this.exchange = new float[gradientLength + 1];
    }

    public Network network() {
        return net;
    }

    /**
     * Runs one iteration of gradient averaging.
     *
     * @param features        this rank's part of the global batch, {@code rows x inputs}; may have 0 rows
     * @param labels          its labels, {@code rows x outputs}
     * @param globalBatchSize rows in the whole global batch (all ranks)
     * @param iteration       global iteration count (the same on every rank)
     * @param epoch           epoch count
     * @return the data loss (without regularisation) summed over the whole global batch
     */
    public double apply(INDArray features, INDArray labels, int globalBatchSize, int iteration, int epoch) {
        long rows = features.size(0);
        if (batchNorm == null) {
            batchNorm = BatchNormStatistics.of(net);
        }
        if (rows > 0) {
            exchange[gradientLength] = (float) localLossSum(features, labels);
            gradientView().get(exchange, 0, gradientLength);
            if (!batchNorm.isEmpty()) {
                batchNorm.updatesToMoments(exchange, floats(net.params()), Math.toIntExact(rows));
            }
        } else {
            ensureGradientStructure(features.size(1), labels.size(1));
            java.util.Arrays.fill(exchange, 0f);
        }
        collective.allReduceSum(exchange);
        if (!batchNorm.isEmpty()) {
            batchNorm.momentsToUpdates(exchange, floats(net.params()), globalBatchSize);
            heldStatistics = batchNorm.takeUpdates(exchange);
        }
        double lossSum = exchange[gradientLength];
        update(globalBatchSize, lossSum, iteration, epoch);
        return lossSum;
    }

    /**
     * One local updater step of parameter averaging on this rank's part alone (no communication):
     * the gradient is averaged over the part, clipped, and applied. A rank whose part is empty
     * only counts the iteration.
     *
     * @return the data loss summed over this rank's part
     */
    public double applyLocal(INDArray features, INDArray labels, int iteration, int epoch) {
        int rows = Math.toIntExact(features.size(0));
        if (rows == 0) {
            net.setIterationCount(iteration + 1);
            return 0;
        }
        if (batchNorm == null) {
            batchNorm = BatchNormStatistics.of(net);
        }
        double lossSum = localLossSum(features, labels);
        gradientView().get(exchange, 0, gradientLength);
        if (!batchNorm.isEmpty()) {
            heldStatistics = batchNorm.takeUpdates(exchange);
        }
        update(rows, lossSum, iteration, epoch);
        rowsSinceAverage += rows;
        lossSinceAverage += lossSum;
        return lossSum;
    }

    /**
     * Replaces every rank's parameters (and, if asked, updater state) by their average over the
     * ranks, each rank weighted by the rows it stepped on since the last average. With one local
     * step between averages and plain SGD this is exactly the gradient-averaging step:
     * {@code sum_r (|B_r|/|B|) (p - lr g_r/|B_r|) = p - lr (sum_r g_r)/|B|} for gradient sums
     * {@code g_r}, whatever the part sizes.
     *
     * @return the data loss summed over every rank's rows since the last average
     */
    public double averageParameters(boolean updaterState) {
        syncUpdaterState();
        INDArray params = net.params();
        INDArray state = updaterState ? net.updater().getStateViewArray() : null;
        int paramLength = gradientLength;
        int stateLength = state == null ? 0 : Math.toIntExact(state.length());
        if (averagingBuffer == null || averagingBuffer.length != paramLength + stateLength + 2) {
            averagingBuffer = new float[paramLength + stateLength + 2];
        }
        float[] buffer = averagingBuffer;
        float weight = rowsSinceAverage;
        copyOut(params, buffer, 0, paramLength);
        if (state != null) {
            copyOut(state, buffer, paramLength, stateLength);
        }
        int end = paramLength + stateLength;
        for (int i = 0; i < end; i++) {
            buffer[i] *= weight;
        }
        buffer[end] = weight;
        buffer[end + 1] = (float) lossSinceAverage;
        collective.allReduceSum(buffer);
        float totalRows = buffer[end];
        double squares = 0;
        for (int i = 0; i < end; i++) {
            buffer[i] /= totalRows;
            squares += (double) buffer[i] * buffer[i];
        }
        parametersFinite = Double.isFinite(squares);
        copyIn(buffer, 0, params, paramLength);
        if (state != null) {
            copyIn(buffer, paramLength, state, stateLength);
        }
        if (fused != null && fused.isPresent()) {
            loadFused(fused.get());
        }
        rowsSinceAverage = 0;
        lossSinceAverage = 0;
        return buffer[end + 1];
    }

    /**
     * Makes the network's updater state current: the fused step keeps it in Java arrays between
     * iterations. Call before reading the updater state (a checkpoint, the end of an epoch).
     */
    public void syncUpdaterState() {
        INDArray state = stateOnHeap ? net.updater().getStateViewArray() : null;
        if (state != null) { // none for stateless updaters (SGD)
            fused.get().storeState(floats(state));
            wroteOnHost(state);
        }
        stateOnHeap = false;
    }

    /** The L2 norm of the last averaged gradient (under parameter averaging, of the last local one), before clipping. */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    /** Whether every averaged parameter (and updater-state entry) of the last {@link #averageParameters} is finite. */
    public boolean parametersFinite() {
        return parametersFinite;
    }

    /**
     * Writes the gradient sums of {@link #exchange} into the gradient view, clips them there and
     * runs the updater with {@code batchSize}; records the norm, the update ratios and a probe when due.
     */
    private void update(int batchSize, double lossSum, int iteration, int epoch) {
        // Where the fused step applies, every rank takes it: ranks must do the same arithmetic.
        if (fused != null && fused.isPresent() && heldStatistics == null) {
            fusedUpdate(fused.get(), batchSize, lossSum, iteration, epoch);
            return;
        }
        gradientView().put(exchange, 0, gradientLength);
        INDArray sums = net.flattenedGradients();
        wroteOnHost(sums);
        // A native reduction (a Java loop over the copy costs several percent of an MLP's step).
        // Any NaN or infinite element makes the norm non-finite: this is also the divergence check.
        // The native sum of squares is float and overflows for elements above about 1e19; only
        // then is it redone in double, so that only a really non-finite gradient counts.
        double norm = sums.norm2Number().doubleValue();
        if (!Double.isFinite(norm)) {
            norm = Math.sqrt(sumOfSquares(exchange, gradientLength));
        }
        lastGradientNorm = norm / batchSize;
        clipping.clipSums(sums, batchSize, lastGradientNorm);
        if (heldStatistics != null) {
            // batch-norm running-statistics updates are not gradients: kept out of the norm and the
            // clipping above, they go back in now, for the updater's no-op step to apply
            gradientView().get(exchange, 0, gradientLength);
            batchNorm.putUpdates(exchange, heldStatistics);
            gradientView().put(exchange, 0, gradientLength);
            wroteOnHost(sums);
            heldStatistics = null;
        }
        double[] parameterNorms = ratioDue(iteration) ? statistics.parameterNorms(net) : null;
        net.computeUpdate(batchSize, iteration, epoch);
        if (parameterNorms != null) {
            statistics.updateRatios(net, parameterNorms);
        }
        record(lossSum, batchSize, iteration, epoch);
        net.subtractUpdate(iteration);
        if (fused == null) {
            // After DL4J's first step its updater blocks exist, initialised as DL4J does it.
            fused = FusedUpdate.forNetwork(net);
            fused.ifPresent(this::loadFused);
        }
    }

    /**
     * {@link #update} through {@link FusedUpdate}: the same step in one pass over Java arrays; the
     * parameters go back to the network for the next forward pass, the updater state stays with the
     * fused step ({@link #syncUpdaterState}). Where update ratios are due, they are taken from the
     * fused step's parameters before it and the updates it leaves in {@link #exchange}.
     */
    private void fusedUpdate(FusedUpdate step, int batchSize, double lossSum, int iteration, int epoch) {
        lastGradientNorm = Math.sqrt(sumOfSquares(exchange, gradientLength)) / batchSize;
        float scale = 1f;
        float bound = Float.POSITIVE_INFINITY;
        if (clipping.kind() == GradientClipping.Kind.NORM && lastGradientNorm > clipping.threshold()) {
            scale = (float) (clipping.threshold() / lastGradientNorm);
        } else if (clipping.kind() == GradientClipping.Kind.VALUE) {
            bound = (float) (clipping.threshold() * batchSize);
        }
        double[] parameterNorms = ratioDue(iteration) ? statistics.parameterNorms(net, step.params()) : null;
        step.apply(exchange, batchSize, scale, bound, iteration, epoch);
        step.storeParams(floats(net.params()));
        wroteOnHost(net.params());
        stateOnHeap = true;
        if (parameterNorms != null) {
            statistics.updateRatios(exchange, parameterNorms);
        }
        record(lossSum, batchSize, iteration, epoch);
        net.setIterationCount(iteration + 1);
        if (iteration % Network.FLUSH_EVERY == 0) {
            step.flushTinyValues();
        }
    }

    private void loadFused(FusedUpdate step) {
        INDArray state = net.updater().getStateViewArray();
        step.load(floats(net.params()), state == null ? null : floats(state));
    }

    private boolean ratioDue(int iteration) {
        return statistics != null && statistics.ratioDue(iteration);
    }

    private void record(double lossSum, int batchSize, int iteration, int epoch) {
        if (statistics != null) {
            statistics.gradientNorm(lastGradientNorm);
            if (statistics.probeDue(iteration)) {
                statistics.probe(iteration, lossSum / batchSize, net.learningRate(iteration, epoch));
            }
        }
    }

    /**
     * {@code sum x_i^2}: in float within blocks of {@value #SQUARE_BLOCK} (eight interleaved sums,
     * about three times faster than one double sum), the blocks added in double. A block whose
     * float sum overflows (elements above about 1e19) is redone in double, so only a really
     * non-finite element makes the result non-finite.
     */
    static double sumOfSquares(float[] values, int length) {
        return sumOfSquares(values, 0, length);
    }

    /** {@link #sumOfSquares(float[], int)} of {@code values[start, end)}. */
    static double sumOfSquares(float[] values, int start, int end) {
        double sum = 0;
        for (int from = start; from < end; from += SQUARE_BLOCK) {
            int to = Math.min(end, from + SQUARE_BLOCK);
            // eight running sums, so that the additions do not wait for each other
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
            int i = from;
            for (; i + 8 <= to; i += 8) {
                a0 += values[i] * values[i];
                a1 += values[i + 1] * values[i + 1];
                a2 += values[i + 2] * values[i + 2];
                a3 += values[i + 3] * values[i + 3];
                a4 += values[i + 4] * values[i + 4];
                a5 += values[i + 5] * values[i + 5];
                a6 += values[i + 6] * values[i + 6];
                a7 += values[i + 7] * values[i + 7];
            }
            for (; i < to; i++) {
                a0 += values[i] * values[i];
            }
            float block = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
            if (Float.isFinite(block)) {
                sum += block;
            } else {
                for (int j = from; j < to; j++) {
                    double x = values[j];
                    sum += x * x;
                }
            }
        }
        return sum;
    }

    private static final int SQUARE_BLOCK = 256;

    /**
     * Backward pass over this rank's part: the gradient sums land in the gradient view; returns
     * the part's data-loss sum. The first pass goes through DL4J (it creates the gradient views);
     * plain dense stacks then take the {@link DenseGradients} fast path.
     */
    private double localLossSum(INDArray features, INDArray labels) {
        if (dense == null) {
            net.computeGradientAndScore(features, labels);
            dense = DenseGradients.forNetwork(net);
            return (net.score() - net.regularizationScore()) * features.size(0);
        }
        if (dense.isPresent()) {
            return dense.get().lossSum(features, labels);
        }
        net.computeGradientAndScore(features, labels);
        return (net.score() - net.regularizationScore()) * features.size(0);
    }

    private FloatBuffer gradientView() {
        return floats(net.flattenedGradients());
    }

    /**
     * The host memory of a flattened (row-vector) view as floats, from its first element. The
     * all-reduce goes through host memory: with the CUDA backend this first copies the newest
     * values off the GPU (a no-op on the CPU backend).
     */
    static FloatBuffer floats(INDArray array) {
        Nd4j.getAffinityManager().ensureLocation(array, AffinityManager.Location.HOST);
        FloatBuffer buffer = array.data().asNioFloat();
        buffer.position(Math.toIntExact(array.offset()));
        return buffer.slice();
    }

    private static void copyOut(INDArray array, float[] target, int at, int length) {
        floats(array).get(target, at, length);
    }

    private static void copyIn(float[] source, int at, INDArray array, int length) {
        floats(array).put(source, at, length);
        wroteOnHost(array);
    }

    /** After a write through {@link #floats}: with the CUDA backend the GPU copy is now stale. */
    private static void wroteOnHost(INDArray array) {
        Nd4j.getAffinityManager().tagLocation(array, AffinityManager.Location.HOST);
    }

    /**
     * A rank whose part is empty still runs the updater, which needs the per-layer gradient
     * views that a first backward pass creates; one pass on a zero row creates them.
     */
    private void ensureGradientStructure(long inputs, long outputs) {
        if (net.gradient() == null) {
            net.computeGradientAndScore(Nd4j.zeros(DataType.FLOAT, 1, inputs), Nd4j.zeros(DataType.FLOAT, 1, outputs));
        }
    }
}
