package dptrain.worker.device;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The job spec's {@code training.device}: where the executors train. */
public enum DeviceMode {
    /** ND4J's CPU backend; the CPU jar (dptrain.jar). */
    CPU,
    /** One GPU per task through ND4J's CUDA backend; fails the task when no supported GPU is there. */
    GPU,
    /** A supported GPU when the CUDA backend and one are there, otherwise the CPU (with a warning). */
    AUTO;

    /** The spec key this mode is read from. */
    public static final String KEY = "training.device";

    /** Parses {@code cpu}, {@code gpu} or {@code auto} (any case); anything else is one clear error. */
    public static DeviceMode parse(String value) {
        if (value != null) {
            for (DeviceMode mode : values()) {
                if (mode.name().equalsIgnoreCase(value.strip())) {
                    return mode;
                }
            }
        }
        throw new IllegalArgumentException(KEY + ": '" + value + "' is not one of "
                + Arrays.stream(values()).map(DeviceMode::specValue).collect(Collectors.joining(", ")));
    }

    /** How the mode is written in a spec. */
    public String specValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
