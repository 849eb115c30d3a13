package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The GPU build without a GPU: {@code deploy/gpu/check-cuda-profile.sh} resolves the cpu, cuda
 * and cuda-redist dependency graphs, checks the backend swap and jar names, and compiles worker
 * and driver with {@code -Pcuda} in a copy of the sources. A nested Maven run, so it takes a
 * minute; its output is kept in target/ when it fails.
 */
class CudaProfileTest {

    @Test
    void cudaProfileResolvesAndCompiles() throws Exception {
        Path root = repositoryRoot();
        Path log = Path.of("target", "check-cuda-profile.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder("bash", root.resolve("deploy/gpu/check-cuda-profile.sh").toString())
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(20, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("check-cuda-profile.sh did not finish in 20 minutes; see " + log);
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(0, process.exitValue(), String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).startsWith("check-cuda-profile: OK"), String.join("\n", lines));
    }

    private static Path repositoryRoot() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("deploy/gpu/check-cuda-profile.sh"))) {
                return at;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }
}
