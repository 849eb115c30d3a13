package dptrain.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the numbers were measured on. */
record Machine(int cores, String cpuModel, long memoryBytes, String java, String kernel) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(),
                field("/proc/cpuinfo", "model name"),
                Long.parseLong(field("/proc/meminfo", "MemTotal").replaceAll("\\D", "")) * 1024,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    String line() {
        return String.format("%d cores, %s, %.1f GiB memory, %s, %s", cores, cpuModel, memoryBytes / 1073741824.0,
                java, kernel);
    }

    ObjectNode toJson() {
        return ResultFile.create().put("cores", cores).put("cpu_model", cpuModel).put("memory_bytes", memoryBytes)
                .put("java", java).put("kernel", kernel);
    }

    private static String field(String file, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
