package dptrain.worker.step;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * DL4J's updater step for Adam and plain SGD (with L2 and weight decay) as one Java pass over the
 * flattened gradient sums, parameters and updater state, on the CPU backend.
 *
 * <p>Why: DL4J applies the same step as a chain of native operations, each a pass over the whole
 * flattened vector (divide by the batch size, L2 per variable, the Adam op, weight decay per
 * variable, {@code params -= update}); for the 235,146 parameters of the Fashion-MNIST MLP that
 * took about 1.5 ms per iteration on the build machine, about half of a rank's iteration. The
 * arithmetic here is DL4J's, element for element and in float, with the same learning rate
 * (schedules included), the same regularisation coefficients and the same iteration number, so
 * results agree with DL4J's own step to float rounding.
 *
 * <p>The pass works on Java arrays, not on the network's native memory: the JIT compiles a loop
 * over {@code float[]} into SIMD instructions (square roots and divisions included), while a loop
 * through {@code FloatBuffer}s stays one element at a time, about ten times slower (for the MLP's
 * 235k parameters 1.4 ms against 0.13 ms, measured side by side on a busy machine; 0.16 ms for this
 * class's step on a quiet one, {@code StepProfile}). So this class keeps the parameters and the updater
 * state as arrays: {@link #load} copies them in from the network, {@link #storeParams} copies the
 * parameters back after every step (the next forward pass reads them), and the state, which only
 * this step reads, goes back with {@link #storeState} when someone else is about to read it.
 *
 * <p>It applies only where it is DL4J's step exactly: every updater block is {@link Adam} or
 * {@link Sgd} (the classes themselves, not subclasses), every variable's gradient is divided by the
 * batch size (no batch-norm statistics), regularisation is only L2 and weight decay, no layer has
 * DL4J's own gradient normalisation, and the backend is the CPU. Anything else keeps DL4J's step.
 */
final class FusedUpdate {

    /** A contiguous range of parameters with one updater and one regularisation. */
    private record Segment(int from, int to, IUpdater updater, boolean adam, int stateM, int stateV,
                           List<L2Regularization> l2, List<WeightDecay> weightDecay) {
    }

    private final List<Segment> segments;
    /** The parameters, in the network's flattened order. */
    private final float[] params;
    /** Adam's first and second moments, at the index of their parameter (unused for SGD segments). */
    private final float[] m;
    private final float[] v;

    private FusedUpdate(List<Segment> segments, int length) {
        this.segments = segments;
        this.params = new float[length];
        this.m = new float[length];
        this.v = new float[length];
    }

    /** The parameters as the next step starts from them, in the network's flattened order (not a copy). */
    float[] params() {
        return params;
    }

    /** The fused step for {@code net}, or empty where it would not be exactly DL4J's step. */
    static Optional<FusedUpdate> forNetwork(Network net) {
        if (!Nd4j.getEnvironment().isCPU() || !net.model().conf().isMiniBatch()) {
            return Optional.empty();
        }
        BaseMultiLayerUpdater<?> updater = net.updater();
        List<Segment> segments = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            if (block.getGradientUpdater() == null) {
                return Optional.empty();
            }
            IUpdater config = block.getGradientUpdater().getConfig();
            boolean adam = config.getClass() == Adam.class;
            if (!adam && config.getClass() != Sgd.class) {
                return Optional.empty();
            }
            int blockLength = block.getParamOffsetEnd() - block.getParamOffsetStart();
            for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
                Trainable layer = variable.getLayer();
                String name = variable.getParamName();
                GradientNormalization normalization = layer.getConfig().getGradientNormalization();
                if (!layer.updaterDivideByMinibatch(name)
                        || normalization != null && normalization != GradientNormalization.None) {
                    return Optional.empty();
                }
                List<L2Regularization> l2 = new ArrayList<>();
                List<WeightDecay> weightDecay = new ArrayList<>();
                List<Regularization> regularizations = layer.getConfig().getRegularizationByParam(name);
                for (Regularization regularization : regularizations == null ? List.<Regularization>of() : regularizations) {
                    if (regularization.getClass() == L2Regularization.class) {
                        l2.add((L2Regularization) regularization);
                    } else if (regularization.getClass() == WeightDecay.class) {
                        weightDecay.add((WeightDecay) regularization);
                    } else {
                        return Optional.empty();
                    }
                }
                int offsetInBlock = variable.getParamOffsetStart() - block.getParamOffsetStart();
                int stateM = block.getUpdaterViewOffsetStart() + offsetInBlock;
                segments.add(new Segment(variable.getParamOffsetStart(), variable.getParamOffsetEnd(), config, adam,
                        stateM, stateM + blockLength, l2, weightDecay));
            }
        }
        return segments.isEmpty() ? Optional.empty()
                : Optional.of(new FusedUpdate(segments, Math.toIntExact(net.numParams())));
    }

    /** Copies the network's parameters and updater state in (both host memory, from their first element). */
    void load(FloatBuffer networkParams, FloatBuffer state) {
        networkParams.get(0, params);
        for (Segment segment : segments) {
            if (segment.adam()) {
                int length = segment.to() - segment.from();
                state.get(segment.stateM(), m, segment.from(), length);
                state.get(segment.stateV(), v, segment.from(), length);
            }
        }
    }

    /** Copies the parameters out into the network's (host memory, from its first element). */
    void storeParams(FloatBuffer networkParams) {
        networkParams.put(0, params);
    }

    /** Copies the updater state out into the network's state view (host memory, from its first element). */
    void storeState(FloatBuffer state) {
        for (Segment segment : segments) {
            if (segment.adam()) {
                int length = segment.to() - segment.from();
                state.put(segment.stateM(), m, segment.from(), length);
                state.put(segment.stateV(), v, segment.from(), length);
            }
        }
    }

    /** {@link TinyValues#flush} for the state this class holds. */
    void flushTinyValues() {
        TinyValues.flush(m);
        TinyValues.flush(v);
    }

    /**
     * One updater step on the arrays this class holds: for each parameter, the gradient
     * {@code g = clip(sums[i] * scale) / batchSize} (plus L2), the updater's update {@code u} (plus
     * weight decay), {@code params[i] -= u}; the update is left in {@code sums[i]}.
     *
     * @param sums      the all-reduced gradient sums; overwritten with the updates
     * @param scale     the factor of norm clipping, 1 for none
     * @param bound     the bound of value clipping on the sums, infinity for none
     */
    void apply(float[] sums, int batchSize, float scale, float bound, int iteration, int epoch) {
        float batch = batchSize;
        for (Segment segment : segments) {
            double learningRate = segment.updater().getLearningRate(iteration, epoch);
            // DL4J applies each entry of a variable's list in turn (a configuration may list the same one twice)
            double l2Sum = 0;
            for (L2Regularization l2 : segment.l2()) {
                l2Sum += l2.getL2().valueAt(iteration, epoch);
            }
            double decaySum = 0;
            for (WeightDecay weightDecay : segment.weightDecay()) {
                double coefficient = weightDecay.getCoeff().valueAt(iteration, epoch);
                decaySum += weightDecay.isApplyLR() ? coefficient * learningRate : coefficient;
            }
            float l2 = (float) l2Sum;
            float decay = (float) decaySum;
            if (segment.adam()) {
                adam(segment.from(), segment.to(), (Adam) segment.updater(), (float) learningRate, sums, params, m, v,
                        batch, scale, bound, l2, decay, iteration);
            } else {
                sgd(segment.from(), segment.to(), (float) learningRate, sums, params, batch, scale, bound, l2, decay);
            }
        }
    }

    /** libnd4j's {@code adamUpdater} in float, with DL4J's L2 before it and weight decay after it. */
    private static void adam(int from, int to, Adam config, float learningRate, float[] sums, float[] params,
                             float[] m, float[] v, float batch, float scale, float bound, float l2, float decay,
                             int iteration) {
        float beta1 = (float) config.getBeta1();
        float beta2 = (float) config.getBeta2();
        float epsilon = (float) config.getEpsilon();
        float beta1T = (float) Math.pow(beta1, iteration + 1);
        float beta2T = (float) Math.pow(beta2, iteration + 1);
        float epsilonT = learningRate * (float) Math.sqrt(1f - beta2T) / (1f - beta1T);
        if (Float.isNaN(epsilonT) || Float.isInfinite(epsilonT) || epsilonT == 0f) {
            epsilonT = epsilon;
        }
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        // plain array accesses at one index, nothing carried between iterations: the JIT vectorises it
        for (int i = from; i < to; i++) {
            float p = params[i];
            float g = Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
            g = l2 * p + g;
            float mi = beta1 * m[i] + g * oneMinusBeta1;
            float vi = beta2 * v[i] + g * g * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            float u = mi * epsilonT / ((float) Math.sqrt(vi) + epsilon);
            u = decay * p + u;
            params[i] = p - u;
            sums[i] = u;
        }
    }

    /** libnd4j's {@code sgdUpdater} ({@code u = lr * g}), with L2 before and weight decay after. */
    private static void sgd(int from, int to, float learningRate, float[] sums, float[] params, float batch,
                            float scale, float bound, float l2, float decay) {
        for (int i = from; i < to; i++) {
            float p = params[i];
            float g = Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
            g = l2 * p + g;
            float u = decay * p + g * learningRate;
            params[i] = p - u;
            sums[i] = u;
        }
    }
}
