package dptrain.worker.device;

import java.util.Objects;

/**
 * One GPU as {@code nvidia-smi} lists it.
 *
 * @param index the driver's index ({@code nvidia-smi}'s, the address the discovery script gives Spark)
 * @param uuid  the GPU's UUID ({@code GPU-...}), which {@code CUDA_VISIBLE_DEVICES} may name instead of the index
 * @param name  the product name
 * @param major compute capability, major part
 * @param minor compute capability, minor part
 */
public record GpuInfo(int index, String uuid, String name, int major, int minor) {

    public GpuInfo {
        if (index < 0) {
            throw new IllegalArgumentException("GPU index must be >= 0, got " + index);
        }
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        if (major < 1 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("GPU " + index + ": compute capability " + major + "." + minor
                    + " is not MAJOR.MINOR");
        }
    }

    /** Compute capability as written by NVIDIA, e.g. {@code 8.6}. */
    public String capability() {
        return major + "." + minor;
    }

    /** {@code GPU 0 (NVIDIA A100-SXM4-40GB)}. */
    public String describe() {
        return "GPU " + index + " (" + name + ")";
    }
}
