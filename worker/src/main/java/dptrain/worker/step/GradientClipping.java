package dptrain.worker.step;

import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Clipping of the averaged gradient (the all-reduced sum divided by the global batch size), over
 * the whole network at once. DL4J's own {@code GradientNormalization} works per layer, so this is
 * applied by the {@link ParameterUpdate} after the all-reduce instead.
 *
 * @param kind      what is bounded
 * @param threshold the bound: the largest global L2 norm ({@link Kind#NORM}) or the largest
 *                  absolute element ({@link Kind#VALUE}); unused for {@link Kind#NONE}
 */
public record GradientClipping(Kind kind, double threshold) implements Serializable {

    public static final GradientClipping NONE = new GradientClipping(Kind.NONE, 0);

    public enum Kind {
        NONE,
        /** Rescale the whole gradient so its global L2 norm is at most {@code threshold}. */
        NORM,
        /** Clamp every element to {@code [-threshold, threshold]}. */
        VALUE
    }

    public GradientClipping {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required");
        }
        if (kind != Kind.NONE && !(threshold > 0 && Double.isFinite(threshold))) {
            throw new IllegalArgumentException("clipping threshold must be > 0, got " + threshold);
        }
    }

    public static GradientClipping norm(double maxNorm) {
        return new GradientClipping(Kind.NORM, maxNorm);
    }

    public static GradientClipping value(double maxValue) {
        return new GradientClipping(Kind.VALUE, maxValue);
    }

    /**
     * Clips, in place, a gradient in sum form (the averaged gradient times {@code batchSize}),
     * with native ND4J operations. The bound on the average becomes a bound on the sum scaled by
     * {@code batchSize}, so the updater, which divides by the batch size, sees exactly the clipped
     * average.
     *
     * @param averagedNorm the global L2 norm of the averaged gradient, already computed
     */
    void clipSums(INDArray sums, int batchSize, double averagedNorm) {
        switch (kind) {
            case NONE -> {
            }
            case NORM -> {
                if (averagedNorm > threshold) {
                    sums.muli((float) (threshold / averagedNorm));
                }
            }
            case VALUE -> {
                float bound = (float) (threshold * batchSize);
                Transforms.max(sums, -bound, false);
                Transforms.min(sums, bound, false);
            }
        }
    }
}
