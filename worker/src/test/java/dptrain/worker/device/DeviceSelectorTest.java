package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.device.GpuInventory.GpuLookupException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    static final GpuInfo A100 = new GpuInfo(0, "GPU-a100-0", "NVIDIA A100-SXM4-40GB", 8, 0);
    static final GpuInfo A100_1 = new GpuInfo(1, "GPU-a100-1", "NVIDIA A100-SXM4-40GB", 8, 0);
    static final GpuInfo L4 = new GpuInfo(0, "GPU-l4", "NVIDIA L4", 8, 9);
    static final GpuInfo H100 = new GpuInfo(0, "GPU-h100", "NVIDIA H100 80GB HBM3", 9, 0);
    static final GpuInfo K40 = new GpuInfo(0, "GPU-k40", "Tesla K40m", 3, 5);

    static final String H100_GPU_ERROR = "GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0; the ND4J CUDA "
            + "backend (nd4j-cuda-11.6 1.0.0-M2.1) runs on 3.7 to 8.9 only (Kepler to Ada); use training.device=cpu "
            + "or auto with the CPU jar dptrain.jar";

    private static DeviceSelector cuda(GpuInfo... gpus) {
        return new DeviceSelector(() -> List.of(gpus), Backend.CUDA, null);
    }

    @Test
    void ampereIsChosenInGpuAndAutoMode() {
        for (DeviceMode mode : List.of(DeviceMode.GPU, DeviceMode.AUTO)) {
            DeviceDecision.Gpu gpu = assertInstanceOf(DeviceDecision.Gpu.class, cuda(A100).select(mode, List.of(), 0));
            assertEquals(A100, gpu.gpu());
            assertEquals(0, gpu.cudaOrdinal());
        }
    }

    @Test
    void adaAtTheTopOfTheRangeIsSupportedKeplerBelowItIsNot() {
        assertInstanceOf(DeviceDecision.Gpu.class, cuda(L4).select(DeviceMode.GPU, List.of(), 0));
        assertTrue(DeviceSelector.supported(new GpuInfo(0, "u", "Tesla K80", 3, 7)));
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, cuda(K40).select(DeviceMode.GPU, List.of(), 0));
        assertEquals("GPU 0 (Tesla K40m) has compute capability 3.5; the ND4J CUDA backend (nd4j-cuda-11.6 1.0.0-M2.1) "
                + "runs on 3.7 to 8.9 only (Kepler to Ada); use training.device=cpu or auto with the CPU jar dptrain.jar",
                fail.message());
    }

    @Test
    void sparkAssignedAddressIsPicked() {
        DeviceDecision.Gpu gpu = assertInstanceOf(DeviceDecision.Gpu.class,
                cuda(A100, A100_1).select(DeviceMode.GPU, List.of("1"), 0));
        assertEquals(1, gpu.gpu().index());
        assertEquals(1, gpu.cudaOrdinal());
        assertEquals("assigned by Spark", gpu.reason());
    }

    @Test
    void assignedIndexIsMappedToItsCudaOrdinalUnderCudaVisibleDevices() {
        DeviceSelector selector = new DeviceSelector(() -> List.of(A100, A100_1), Backend.CUDA, "1");
        DeviceDecision.Gpu gpu = assertInstanceOf(DeviceDecision.Gpu.class, selector.select(DeviceMode.GPU, List.of("1"), 0));
        assertEquals(1, gpu.gpu().index());
        assertEquals(0, gpu.cudaOrdinal());
        DeviceSelector byUuid = new DeviceSelector(() -> List.of(A100, A100_1), Backend.CUDA, "GPU-a100-1,GPU-a100-0");
        assertEquals(1, assertInstanceOf(DeviceDecision.Gpu.class, byUuid.select(DeviceMode.GPU, List.of("0"), 0)).cudaOrdinal());
        DeviceDecision.Fail hidden = assertInstanceOf(DeviceDecision.Fail.class, selector.select(DeviceMode.GPU, List.of("0"), 0));
        assertEquals("GPU 0 (NVIDIA A100-SXM4-40GB) is assigned by Spark, but CUDA_VISIBLE_DEVICES='1' hides it from CUDA",
                hidden.message());
    }

    @Test
    void withoutAssignmentTasksSpreadOverTheGpus() {
        assertEquals(0, ((DeviceDecision.Gpu) cuda(A100, A100_1).select(DeviceMode.GPU, List.of(), 2)).gpu().index());
        assertEquals(1, ((DeviceDecision.Gpu) cuda(A100, A100_1).select(DeviceMode.GPU, List.of(), 3)).gpu().index());
    }

    @Test
    void unknownAssignedAddressFails() {
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, cuda(A100).select(DeviceMode.AUTO, List.of("3"), 0));
        assertEquals("Spark assigned GPU 3, but nvidia-smi on this host lists GPUs 0", fail.message());
    }

    @Test
    void hopperWithGpuFailsWithOneClearLine() {
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, cuda(H100).select(DeviceMode.GPU, List.of("0"), 0));
        assertEquals(H100_GPU_ERROR, fail.message());
        assertFalse(fail.message().contains("\n"));
    }

    @Test
    void hopperWithAutoFallsBackToCpuSayingWhy() {
        DeviceDecision.Cpu cpu = assertInstanceOf(DeviceDecision.Cpu.class, cuda(H100).select(DeviceMode.AUTO, List.of("0"), 0));
        assertTrue(cpu.fallback());
        assertEquals("training.device=auto: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0; the ND4J CUDA "
                + "backend (nd4j-cuda-11.6 1.0.0-M2.1) runs on 3.7 to 8.9 only (Kepler to Ada); training on CPU", cpu.reason());
    }

    @Test
    void noGpuWithGpuFailsAndWithAutoFallsBack() {
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, cuda().select(DeviceMode.GPU, List.of(), 0));
        assertEquals("training.device=gpu, but nvidia-smi lists no GPU on this host", fail.message());
        DeviceDecision.Cpu cpu = assertInstanceOf(DeviceDecision.Cpu.class, cuda().select(DeviceMode.AUTO, List.of(), 0));
        assertTrue(cpu.fallback());
    }

    @Test
    void missingNvidiaSmiWithGpuFails() {
        DeviceSelector selector = new DeviceSelector(() -> {
            throw new GpuLookupException("cannot list GPUs: nvidia-smi was not found on this host (tried 'nvidia-smi'); "
                    + "is the NVIDIA driver installed?");
        }, Backend.CUDA, null);
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, selector.select(DeviceMode.GPU, List.of(), 0));
        assertEquals("training.device=gpu, but cannot list GPUs: nvidia-smi was not found on this host (tried 'nvidia-smi'); "
                + "is the NVIDIA driver installed?", fail.message());
        assertInstanceOf(DeviceDecision.Cpu.class, selector.select(DeviceMode.AUTO, List.of(), 0));
    }

    @Test
    void cpuBuildWithGpuFailsTellingToBuildWithCuda() {
        DeviceSelector selector = new DeviceSelector(() -> List.of(A100), Backend.CPU, null);
        DeviceDecision.Fail fail = assertInstanceOf(DeviceDecision.Fail.class, selector.select(DeviceMode.GPU, List.of("0"), 0));
        assertEquals("training.device=gpu, but the ND4J CUDA backend is not on the class path (this is the CPU build): "
                + "build with -Pcuda and submit driver/target/dptrain-cuda.jar", fail.message());
    }

    @Test
    void cpuBuildWithAutoNeverAsksForGpus() {
        DeviceSelector selector = new DeviceSelector(() -> {
            throw new AssertionError("the CPU build must not run nvidia-smi");
        }, Backend.CPU, null);
        DeviceDecision.Cpu cpu = assertInstanceOf(DeviceDecision.Cpu.class, selector.select(DeviceMode.AUTO, List.of(), 0));
        assertFalse(cpu.fallback());
        assertInstanceOf(DeviceDecision.Cpu.class, selector.select(DeviceMode.CPU, List.of(), 0));
    }
}
