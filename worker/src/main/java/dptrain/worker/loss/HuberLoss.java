package dptrain.worker.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Huber loss (Huber 1964), as Keras and PyTorch define it: for the error {@code e = output - label}
 * of one output, {@code 0.5 e^2} where {@code |e| <= delta} and {@code delta (|e| - 0.5 delta)}
 * beyond, averaged over the outputs of an example (like DL4J's {@code LossMSE}). Quadratic near the
 * target, linear far from it, so outliers pull with a bounded force {@code delta}: the gradient
 * with respect to an output is {@code clip(e, -delta, delta) / outputs}. DL4J 1.0.0-M2 has no
 * Huber loss.
 */
public final class HuberLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;

    private final double delta;

    public HuberLoss() {
        this(1.0);
    }

    public HuberLoss(@JsonProperty("delta") double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        this.delta = delta;
    }

    public double getDelta() {
        return delta;
    }

    /** Per-element loss, {@code examples x outputs}, masked. */
    private INDArray scoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray error = error(labels, preOutput, activationFn);
        INDArray magnitude = Transforms.abs(error, true);
        INDArray clipped = Transforms.min(magnitude, delta, true);
        // 0.5 c^2 + delta (|e| - c) with c = min(|e|, delta): 0.5 e^2 inside, delta (|e| - delta/2) outside
        INDArray scores = clipped.mul(clipped).muli(0.5).addi(magnitude.subi(clipped).muli(delta));
        scores.divi(scores.size(1));
        if (mask != null) {
            LossUtil.applyMask(scores, mask);
        }
        return scores;
    }

    private static INDArray error(INDArray labels, INDArray preOutput, IActivation activationFn) {
        if (!labels.equalShapes(preOutput)) {
            throw new IllegalArgumentException("labels and outputs must have equal shapes, got "
                    + java.util.Arrays.toString(labels.shape()) + " and " + java.util.Arrays.toString(preOutput.shape()));
        }
        INDArray output = activationFn.getActivation(preOutput.dup(), true);
        return output.subi(labels.castTo(preOutput.dataType()));
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray scores = scoreArray(labels, preOutput, activationFn, mask);
        double score = scores.sumNumber().doubleValue();
        return average ? score / scores.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoreArray(labels, preOutput, activationFn, mask).sum(true, 1);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray error = error(labels, preOutput, activationFn);
        INDArray dLda = Transforms.max(Transforms.min(error, delta, false), -delta, false);
        dLda.divi(dLda.size(1));
        if (mask != null && LossUtil.isPerOutputMasking(dLda, mask)) {
            LossUtil.applyMask(dLda, mask);
        }
        INDArray gradients = activationFn.backprop(preOutput.dup(), dLda).getFirst();
        if (mask != null) {
            LossUtil.applyMask(gradients, mask);
        }
        return gradients;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HuberLoss huber && huber.delta == delta;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(delta);
    }

    @Override
    public String toString() {
        return "HuberLoss(delta=" + delta + ")";
    }
}
