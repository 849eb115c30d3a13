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
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * DL4J's updater step (SGD, momentum, Nesterov, RMSProp, AdaGrad, Adam; with L2 and weight decay,
 * which makes Adam AdamW) as one Java pass over the flattened gradient sums, parameters and
 * updater state, on the CPU backend.
 *
 * <p>Why: DL4J applies the same step as a chain of native operations, each a pass over the whole
 * flattened vector (divide by the batch size, L2 per variable, the updater's op, weight decay per
 * variable, {@code params -= update}); for the 235,146 parameters of the Fashion-MNIST MLP that
 * took about 1.5 ms per iteration on the build machine, about half of a rank's iteration. The
 * arithmetic ({@link UpdateRule}) is DL4J's, element for element and in float, with the same
 * learning rate (schedules included), the same regularisation coefficients and the same iteration
 * number, so results equal DL4J's own step bit for bit ({@code FusedUpdateTest}). The one
 * difference: where a variable lists L2 or weight decay more than once (DL4J's builder puts weight
 * decay in twice; the spec's networks never do), DL4J applies the entries in turn and this pass
 * their sum, which agrees to float rounding.
 *
 * <p>The pass works on Java arrays, not on the network's native memory: the JIT compiles a loop
 * over {@code float[]} into SIMD instructions (square roots and divisions included), while a loop
 * through {@code FloatBuffer}s stays one element at a time, about ten times slower (for the MLP's
 * 235k parameters 1.4 ms against 0.13 ms, measured side by side on a busy machine; 0.16 ms for this
 * class's step on a quiet one, {@code StepProfile}). So this class keeps the parameters and the updater
 * state as arrays: {@link #load} copies them in from the network, {@link #storeParams} copies the
 * parameters back after every step (the next forward pass reads them), and the state, which only
 * this step reads, goes back with {@link #storeState} when someone else is about to read it, in
 * DL4J's layout (per updater block, each state array in turn), so checkpoints and parameter
 * averaging see what DL4J's own step would have left.
 *
 * <p>It applies only where it is DL4J's step exactly: every updater block has an
 * {@link UpdateRule}, every variable's gradient is divided by the batch size (no batch-norm
 * statistics), regularisation is only L2 and weight decay, no layer has DL4J's own gradient
 * normalisation, and the backend is the CPU. Anything else keeps DL4J's step.
 */
final class FusedUpdate {

    /**
     * A contiguous range of parameters with one updater and one regularisation; its state array
     * {@code k} starts at {@code stateFrom + k * blockLength} in DL4J's state view.
     */
    private record Segment(int from, int to, IUpdater updater, UpdateRule rule, int stateFrom, int blockLength,
                           List<L2Regularization> l2, List<WeightDecay> weightDecay) {
    }

    private final List<Segment> segments;
    /** The parameters, in the network's flattened order. */
    private final float[] params;
    /**
     * The updaters' state arrays (Adam's M and V; the one array of the others), at the index of
     * their parameter; empty where no segment keeps that many.
     */
    private final float[] first;
    private final float[] second;

    private FusedUpdate(List<Segment> segments, int length) {
        this.segments = segments;
        this.params = new float[length];
        int arrays = segments.stream().mapToInt(segment -> segment.rule().stateArrays()).max().orElse(0);
        this.first = new float[arrays >= 1 ? length : 0];
        this.second = new float[arrays >= 2 ? length : 0];
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
            Optional<UpdateRule> rule = UpdateRule.of(config);
            if (rule.isEmpty()) {
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
                segments.add(new Segment(variable.getParamOffsetStart(), variable.getParamOffsetEnd(), config,
                        rule.get(), block.getUpdaterViewOffsetStart() + offsetInBlock, blockLength, l2, weightDecay));
            }
        }
        return segments.isEmpty() ? Optional.empty()
                : Optional.of(new FusedUpdate(segments, Math.toIntExact(net.numParams())));
    }

    /** Copies the network's parameters and updater state in (both host memory, from their first element). */
    void load(FloatBuffer networkParams, FloatBuffer state) {
        networkParams.get(0, params);
        for (Segment segment : segments) {
            int length = segment.to() - segment.from();
            int arrays = segment.rule().stateArrays();
            if (arrays >= 1) {
                state.get(segment.stateFrom(), first, segment.from(), length);
            }
            if (arrays >= 2) {
                state.get(segment.stateFrom() + segment.blockLength(), second, segment.from(), length);
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
            int length = segment.to() - segment.from();
            int arrays = segment.rule().stateArrays();
            if (arrays >= 1) {
                state.put(segment.stateFrom(), first, segment.from(), length);
            }
            if (arrays >= 2) {
                state.put(segment.stateFrom() + segment.blockLength(), second, segment.from(), length);
            }
        }
    }

    /** {@link TinyValues#flush} for the state this class holds. */
    void flushTinyValues() {
        TinyValues.flush(first);
        TinyValues.flush(second);
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
            UpdateRule.Terms terms = new UpdateRule.Terms((float) learningRate, batchSize, scale, bound,
                    (float) l2Sum, (float) decaySum);
            segment.rule().apply(segment.from(), segment.to(), terms, sums, params, first, second, iteration, epoch);
        }
    }
}
