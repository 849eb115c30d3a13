package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.worker.device.DeviceBinding.DeviceUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceBindingTest {

    /** Records bindings instead of calling ND4J. */
    static final class FakeRuntime implements DeviceBinding.Runtime {
        final Backend backend;
        final String loaded;
        final List<Integer> bound = new ArrayList<>();

        FakeRuntime(Backend backend, String loaded) {
            this.backend = backend;
            this.loaded = loaded;
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public String loadedBackend() {
            return loaded;
        }

        @Override
        public void bindCurrentThread(int cudaOrdinal) {
            bound.add(cudaOrdinal);
        }
    }

    private static final GpuInfo A100 = new GpuInfo(3, "GPU-a", "NVIDIA A100-SXM4-40GB", 8, 0);

    @Test
    void aGpuDecisionBindsTheThreadToItsCudaOrdinal() {
        FakeRuntime cuda = new FakeRuntime(Backend.CUDA, Backend.CUDA_BACKEND_CLASS);
        DeviceDecision decision = new DeviceDecision.Gpu(A100, 1, "assigned by Spark");
        assertSame(decision, DeviceBinding.apply(decision, DeviceMode.GPU, cuda));
        assertEquals(List.of(1), cuda.bound);
    }

    @Test
    void aFailureBecomesItsOneLine() {
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> DeviceBinding.apply(
                new DeviceDecision.Fail(DeviceSelectorTest.H100_GPU_ERROR), DeviceMode.GPU,
                new FakeRuntime(Backend.CUDA, Backend.CUDA_BACKEND_CLASS)));
        assertEquals(DeviceSelectorTest.H100_GPU_ERROR, e.getMessage());
    }

    @Test
    void cpuOnTheCudaJarCannotBeHonoured() {
        FakeRuntime cuda = new FakeRuntime(Backend.CUDA, Backend.CUDA_BACKEND_CLASS);
        DeviceDecision fallback = new DeviceSelector(() -> List.of(DeviceSelectorTest.H100), Backend.CUDA, null)
                .select(DeviceMode.AUTO, List.of(), 0);
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> DeviceBinding.apply(fallback, DeviceMode.AUTO, cuda));
        assertEquals("training.device=auto: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0; the ND4J CUDA "
                + "backend (nd4j-cuda-11.6 1.0.0-M2.1) runs on 3.7 to 8.9 only (Kepler to Ada); training on CPU needs "
                + "the CPU jar dptrain.jar (dptrain-cuda.jar has only the CUDA backend)", e.getMessage());
        assertEquals(List.of(), cuda.bound);
    }

    @Test
    void cpuOnTheCpuJarBindsNothing() {
        FakeRuntime cpu = new FakeRuntime(Backend.CPU, "org.nd4j.linalg.cpu.nativecpu.CpuBackend");
        DeviceBinding.apply(new DeviceDecision.Cpu("training.device=cpu", false), DeviceMode.CPU, cpu);
        assertEquals(List.of(), cpu.bound);
    }

    @Test
    void aGpuDecisionWithTheCpuBackendLoadedFails() {
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> DeviceBinding.apply(
                new DeviceDecision.Gpu(A100, 0, "assigned by Spark"), DeviceMode.GPU,
                new FakeRuntime(Backend.CUDA, "org.nd4j.linalg.cpu.nativecpu.CpuBackend")));
        assertEquals("training.device=gpu chose GPU 3 (NVIDIA A100-SXM4-40GB), but ND4J loaded "
                + "org.nd4j.linalg.cpu.nativecpu.CpuBackend instead of the CUDA backend; do not put nd4j-native beside "
                + "dptrain-cuda.jar", e.getMessage());
    }

    @Test
    void theDefaultCpuBuildOutsideSparkStaysOnCpu() {
        assertEquals(Backend.CPU, Backend.onClasspath());
        assertEquals(DeviceMode.AUTO, DeviceBinding.modeOf(null));
        DeviceDecision decision = DeviceBinding.bindForTask(null);
        assertEquals(new DeviceDecision.Cpu("the CPU build (no ND4J CUDA backend on the class path)", false), decision);
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> DeviceBinding.bindForTask(Map.of(), DeviceMode.GPU, 0));
        assertEquals("training.device=gpu, but the ND4J CUDA backend is not on the class path (this is the CPU build): "
                + "build with -Pcuda and submit driver/target/dptrain-cuda.jar", e.getMessage());
    }
}
