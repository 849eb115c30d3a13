package dptrain.worker.step;

import java.io.Serializable;
import java.util.Objects;

/**
 * How each rank steps, beyond the DL4J configuration: what is averaged and how often, how the
 * averaged gradient is clipped, and how often rank 0 records a probe for monitoring.
 *
 * @param averaging  gradient averaging every iteration, or parameter averaging every K local steps
 * @param clipping   clipping of the averaged gradient (of the local one under parameter averaging)
 * @param probeEvery iterations between monitoring probes (loss and learning rate); 0 for none
 */
public record StepSettings(Averaging averaging, GradientClipping clipping, int probeEvery) implements Serializable {

    /** Gradient averaging, no clipping, no probes: the exact global-batch step. */
    public static final StepSettings DEFAULT = new StepSettings(Averaging.GRADIENTS, GradientClipping.NONE, 0);

    public StepSettings {
        Objects.requireNonNull(averaging, "averaging");
        Objects.requireNonNull(clipping, "clipping");
        if (probeEvery < 0) {
            throw new IllegalArgumentException("probeEvery must be >= 0, got " + probeEvery);
        }
    }
}
