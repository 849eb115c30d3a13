package dptrain.worker.device;

import dptrain.worker.device.GpuInventory.GpuLookupException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Decides the device of one task from the spec's mode, the GPUs Spark assigned to the task, this
 * host's GPUs and the backend the jar carries. Pure: nothing here loads ND4J or CUDA.
 *
 * <p>Spark's GPU addresses are {@code nvidia-smi} indexes (what deploy/gpu/discover-gpus.sh
 * prints). CUDA numbers devices by their position among the visible ones, so under
 * {@code CUDA_VISIBLE_DEVICES=2,3} index 3 is CUDA device 1; {@link DeviceDecision.Gpu} carries both.
 */
public final class DeviceSelector {

    /** The build whose kernels set the supported range. */
    public static final String CUDA_BUILD = "nd4j-cuda-11.6 1.0.0-M2.1";
    /** The supported range as the error messages state it. */
    public static final String SUPPORTED_RANGE = "3.7 to 8.9 only (Kepler to Ada)";

    private final GpuInventory inventory;
    private final Backend backend;
    private final String cudaVisibleDevices;

    /**
     * @param cudaVisibleDevices the process's {@code CUDA_VISIBLE_DEVICES}, or null when unset
     */
    public DeviceSelector(GpuInventory inventory, Backend backend, String cudaVisibleDevices) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.cudaVisibleDevices = cudaVisibleDevices;
    }

    /** libnd4jcuda.so has cubins for sm_37 to sm_86 and no PTX; 8.9 (Ada) runs sm_86 cubins, 9.0 does not. */
    public static boolean supported(GpuInfo gpu) {
        int cc = gpu.major() * 10 + gpu.minor();
        return cc >= 37 && cc <= 89;
    }

    /**
     * @param mode              the spec's {@code training.device}
     * @param assignedAddresses the task's {@code TaskContext.resources().get("gpu").addresses()}; empty when
     *                          Spark assigned none (local mode, or no GPU scheduling configured)
     * @param taskOrdinal       the task's partition id: without an assignment, task {@code t} takes the
     *                          {@code t mod n}-th of the {@code n} visible GPUs (one worker per GPU on one host)
     */
    public DeviceDecision select(DeviceMode mode, List<String> assignedAddresses, int taskOrdinal) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(assignedAddresses, "assignedAddresses");
        if (mode == DeviceMode.CPU) {
            return new DeviceDecision.Cpu(DeviceMode.KEY + "=cpu", false);
        }
        if (backend == Backend.CPU) {
            if (mode == DeviceMode.GPU) {
                return new DeviceDecision.Fail(DeviceMode.KEY + "=gpu, but the ND4J CUDA backend is not on the "
                        + "class path (this is the CPU build): build with -Pcuda and submit driver/target/dptrain-cuda.jar");
            }
            return new DeviceDecision.Cpu(assignedAddresses.isEmpty()
                    ? "the CPU build (no ND4J CUDA backend on the class path)"
                    : DeviceMode.KEY + "=auto: Spark assigned GPU " + String.join(",", assignedAddresses)
                            + " to this task, but this is the CPU build (no ND4J CUDA backend); build with -Pcuda to use it",
                    !assignedAddresses.isEmpty());
        }

        List<GpuInfo> gpus;
        try {
            gpus = inventory.gpus();
        } catch (GpuLookupException e) {
            return unusable(mode, e.getMessage());
        }
        if (gpus.isEmpty()) {
            return unusable(mode, "nvidia-smi lists no GPU on this host");
        }
        List<GpuInfo> visible = inCudaOrder(gpus);
        if (visible.isEmpty()) {
            return unusable(mode, "CUDA_VISIBLE_DEVICES='" + cudaVisibleDevices
                    + "' hides all of this host's GPUs (" + indexes(gpus) + ")");
        }

        GpuInfo chosen;
        String reason;
        if (!assignedAddresses.isEmpty()) {
            String address = assignedAddresses.get(0).strip();
            if (!address.matches("\\d+")) {
                return new DeviceDecision.Fail("Spark assigned GPU address '" + address + "', which is not an "
                        + "nvidia-smi index; the discovery script must print indexes (deploy/gpu/discover-gpus.sh)");
            }
            int index = Integer.parseInt(address);
            chosen = gpus.stream().filter(g -> g.index() == index).findFirst().orElse(null);
            if (chosen == null) {
                return new DeviceDecision.Fail("Spark assigned GPU " + index + ", but nvidia-smi on this host lists GPUs "
                        + indexes(gpus));
            }
            reason = "assigned by Spark" + (assignedAddresses.size() > 1
                    ? " (of " + String.join(",", assignedAddresses) + "; a task trains on one GPU)" : "");
        } else {
            chosen = visible.get(Math.floorMod(taskOrdinal, visible.size()));
            reason = "no Spark GPU assignment: task " + taskOrdinal + " of " + visible.size() + " visible GPU(s)";
        }

        if (!supported(chosen)) {
            return unusable(mode, chosen.describe() + " has compute capability " + chosen.capability()
                    + "; the ND4J CUDA backend (" + CUDA_BUILD + ") runs on " + SUPPORTED_RANGE);
        }
        int ordinal = visible.indexOf(chosen);
        if (ordinal < 0) {
            return new DeviceDecision.Fail(chosen.describe() + " is " + reason + ", but CUDA_VISIBLE_DEVICES='"
                    + cudaVisibleDevices + "' hides it from CUDA");
        }
        return new DeviceDecision.Gpu(chosen, ordinal, reason);
    }

    /** {@code gpu} fails with the reason; {@code auto} falls back to the CPU, saying why. */
    private static DeviceDecision unusable(DeviceMode mode, String why) {
        if (mode == DeviceMode.GPU) {
            return new DeviceDecision.Fail(why.startsWith("GPU ")
                    ? why + "; use " + DeviceMode.KEY + "=cpu or auto with the CPU jar dptrain.jar"
                    : DeviceMode.KEY + "=gpu, but " + why);
        }
        return new DeviceDecision.Cpu(DeviceMode.KEY + "=auto: " + why + "; training on CPU", true);
    }

    /** The GPUs CUDA sees, in CUDA's numbering (CUDA_DEVICE_ORDER=PCI_BUS_ID, which deploy/gpu sets). */
    private List<GpuInfo> inCudaOrder(List<GpuInfo> gpus) {
        if (cudaVisibleDevices == null) {
            return gpus;
        }
        List<GpuInfo> visible = new ArrayList<>();
        for (String entry : Arrays.stream(cudaVisibleDevices.split(",")).map(String::strip).toList()) {
            gpus.stream()
                    .filter(g -> entry.equals(Integer.toString(g.index()))
                            || (!entry.isEmpty() && !entry.matches("\\d+") && (g.uuid().startsWith(entry)
                                    || g.uuid().startsWith("GPU-" + entry))))
                    .findFirst()
                    .filter(g -> !visible.contains(g))
                    .ifPresent(visible::add);
        }
        return visible;
    }

    private static String indexes(List<GpuInfo> gpus) {
        return gpus.stream().map(g -> Integer.toString(g.index())).collect(Collectors.joining(", "));
    }
}
