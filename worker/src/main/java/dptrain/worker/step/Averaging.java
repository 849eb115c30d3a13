package dptrain.worker.step;

import java.io.Serializable;

/**
 * What the ranks average, and how often.
 *
 * @param mode                {@link Mode#GRADIENTS}: every iteration, the exact global-batch step;
 *                            {@link Mode#PARAMETERS}: local updater steps, then a parameter average
 * @param frequency           for {@link Mode#PARAMETERS}: local steps between averages (the epoch's
 *                            end always averages); must be 1 for {@link Mode#GRADIENTS}
 * @param averageUpdaterState for {@link Mode#PARAMETERS}: average the updater state (Adam moments,
 *                            ...) together with the parameters
 */
public record Averaging(Mode mode, int frequency, boolean averageUpdaterState) implements Serializable {

    public static final Averaging GRADIENTS = new Averaging(Mode.GRADIENTS, 1, true);

    public enum Mode {
        GRADIENTS,
        PARAMETERS
    }

    public Averaging {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (frequency < 1) {
            throw new IllegalArgumentException("averaging frequency must be >= 1, got " + frequency);
        }
        if (mode == Mode.GRADIENTS && frequency != 1) {
            throw new IllegalArgumentException("gradient averaging happens every iteration; frequency " + frequency
                    + " needs parameter averaging");
        }
    }

    public static Averaging parameters(int frequency, boolean averageUpdaterState) {
        return new Averaging(Mode.PARAMETERS, frequency, averageUpdaterState);
    }
}
