package dptrain.worker.device;

import java.util.Objects;

/** What {@link DeviceSelector} decided for one task. */
public sealed interface DeviceDecision {

    /**
     * Train on {@code gpu}.
     *
     * @param cudaOrdinal the device number CUDA (and so ND4J) uses for it: its position among the
     *                    GPUs this process sees, which differs from the index under {@code CUDA_VISIBLE_DEVICES}
     * @param reason      why this GPU, for the log
     */
    record Gpu(GpuInfo gpu, int cudaOrdinal, String reason) implements DeviceDecision {
        public Gpu {
            Objects.requireNonNull(gpu, "gpu");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Train on the CPU.
     *
     * @param reason   why, in one line
     * @param fallback true when {@code auto} wanted a GPU and could not have one (logged at WARN)
     */
    record Cpu(String reason, boolean fallback) implements DeviceDecision {
        public Cpu {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The task must not start; {@code message} is the one line the user sees. */
    record Fail(String message) implements DeviceDecision {
        public Fail {
            Objects.requireNonNull(message, "message");
        }
    }
}
