package dptrain.worker.device;

import java.util.List;

/** Lists this host's GPUs without loading a CUDA library. */
public interface GpuInventory {

    /**
     * The GPUs of this host in index order; empty when there are none.
     *
     * @throws GpuLookupException when they cannot be listed (no driver, no {@code nvidia-smi}, a timeout)
     */
    List<GpuInfo> gpus();

    /** Why the GPUs could not be listed, in one line. */
    final class GpuLookupException extends RuntimeException {
        public GpuLookupException(String message) {
            super(message);
        }

        public GpuLookupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
