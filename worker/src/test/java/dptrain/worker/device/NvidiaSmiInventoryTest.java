package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.device.GpuInventory.GpuLookupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiInventoryTest {

    @TempDir
    Path dir;

    @Test
    void parsesTheQueryOutput() {
        List<GpuInfo> gpus = NvidiaSmiInventory.parse(
                "0, GPU-8f6c1b2e-0000-1111-2222-333344445555, 8.0, NVIDIA A100-SXM4-40GB\n"
                        + "1, GPU-aaaa, 9.0, NVIDIA H100 80GB HBM3\n");
        assertEquals(List.of(new GpuInfo(0, "GPU-8f6c1b2e-0000-1111-2222-333344445555", "NVIDIA A100-SXM4-40GB", 8, 0),
                new GpuInfo(1, "GPU-aaaa", "NVIDIA H100 80GB HBM3", 9, 0)), gpus);
    }

    @Test
    void toleratesOddSpacingBlankLinesAndCrLf() {
        List<GpuInfo> gpus = NvidiaSmiInventory.parse(
                "\r\n   0 ,GPU-x ,  8.6 ,   NVIDIA  GeForce RTX 3090  \r\n\n\t2,GPU-y,7.5,Tesla T4, PCIe\n\n");
        assertEquals(List.of(new GpuInfo(0, "GPU-x", "NVIDIA GeForce RTX 3090", 8, 6),
                new GpuInfo(2, "GPU-y", "Tesla T4, PCIe", 7, 5)), gpus);
        assertEquals(List.of(), NvidiaSmiInventory.parse("  \n"));
    }

    @Test
    void rejectsLinesItDoesNotUnderstand() {
        GpuLookupException e = assertThrows(GpuLookupException.class,
                () -> NvidiaSmiInventory.parse("0, GPU-x, [N/A], Some GPU"));
        assertEquals("cannot list GPUs: unexpected nvidia-smi line '0, GPU-x, [N/A], Some GPU' "
                + "(compute capability '[N/A]' is not MAJOR.MINOR)", e.getMessage());
        assertThrows(GpuLookupException.class, () -> NvidiaSmiInventory.parse("No devices were found"));
    }

    @Test
    void missingNvidiaSmiIsReportedClearly() {
        String missing = dir.resolve("nvidia-smi").toString();
        GpuLookupException e = assertThrows(GpuLookupException.class,
                () -> new NvidiaSmiInventory(missing, Duration.ofSeconds(5)).gpus());
        assertEquals("cannot list GPUs: nvidia-smi was not found on this host (tried '" + missing
                + "'); is the NVIDIA driver installed?", e.getMessage());
    }

    @Test
    void runsTheExecutableWithTheQuery() throws IOException {
        Path smi = script("echo \"0, GPU-x, 8.0, args=$*\"");
        List<GpuInfo> gpus = new NvidiaSmiInventory(smi.toString(), Duration.ofSeconds(10)).gpus();
        assertEquals("args=--query-gpu=index,uuid,compute_cap,name --format=csv,noheader", gpus.get(0).name());
    }

    @Test
    void oldDriverWithoutComputeCapIsExplained() throws IOException {
        Path smi = script("echo 'Field \"compute_cap\" is not a valid field to query.'; exit 2");
        GpuLookupException e = assertThrows(GpuLookupException.class,
                () -> new NvidiaSmiInventory(smi.toString(), Duration.ofSeconds(10)).gpus());
        assertEquals("cannot list GPUs: nvidia-smi exited with 2: Field \"compute_cap\" is not a valid field to query. "
                + "(the compute_cap field needs NVIDIA driver R510 or newer)", e.getMessage());
    }

    @Test
    void aHangingNvidiaSmiTimesOut() throws IOException {
        Path smi = script("exec sleep 30");
        long start = System.nanoTime();
        GpuLookupException e = assertThrows(GpuLookupException.class,
                () -> new NvidiaSmiInventory(smi.toString(), Duration.ofSeconds(1)).gpus());
        assertEquals("cannot list GPUs: nvidia-smi did not answer within 1 s", e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "gave up after the timeout");
    }

    private Path script(String body) throws IOException {
        Path file = dir.resolve("fake-nvidia-smi");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
