package dptrain.worker.step;

import java.io.Serializable;

/**
 * Clipping of the averaged gradient (the all-reduced sum divided by the global batch size), over
 * the whole network at once. DL4J's own {@code GradientNormalization} works per layer, so this is
 * applied by {@link TrainingStep} after the all-reduce instead.
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
     * Clips, in place, the first {@code length} elements of {@code sums}: a gradient in sum form
     * (the averaged gradient times {@code batchSize}). The bound on the average becomes a bound on
     * the sum scaled by {@code batchSize}, so the updater, which divides by the batch size, sees
     * exactly the clipped average.
     *
     * @param averagedNorm the global L2 norm of the averaged gradient, already computed
     */
    void clipSums(float[] sums, int length, int batchSize, double averagedNorm) {
        switch (kind) {
            case NONE -> {
            }
            case NORM -> {
                if (averagedNorm > threshold) {
                    float scale = (float) (threshold / averagedNorm);
                    for (int i = 0; i < length; i++) {
                        sums[i] *= scale;
                    }
                }
            }
            case VALUE -> {
                float bound = (float) (threshold * batchSize);
                for (int i = 0; i < length; i++) {
                    sums[i] = Math.max(-bound, Math.min(bound, sums[i]));
                }
            }
        }
    }
}
