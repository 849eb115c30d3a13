package dptrain.worker.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists GPUs with {@code nvidia-smi --query-gpu=index,uuid,compute_cap,name --format=csv,noheader}.
 * The name goes last because it is the only field that could hold a comma. It needs nothing
 * from CUDA or ND4J, so the capability check runs before the CUDA backend is loaded; the
 * {@code compute_cap} field needs NVIDIA driver R510 or newer.
 */
public final class NvidiaSmiInventory implements GpuInventory {

    static final String QUERY = "--query-gpu=index,uuid,compute_cap,name";
    private static final Pattern CAPABILITY = Pattern.compile("(\\d+)\\.(\\d)");

    private final String executable;
    private final Duration timeout;

    /** {@code nvidia-smi} from the PATH, with a 15 s limit. */
    public NvidiaSmiInventory() {
        this("nvidia-smi", Duration.ofSeconds(15));
    }

    public NvidiaSmiInventory(String executable, Duration timeout) {
        this.executable = Objects.requireNonNull(executable, "executable");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public List<GpuInfo> gpus() {
        Process process;
        try {
            process = new ProcessBuilder(executable, QUERY, "--format=csv,noheader")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new GpuLookupException("cannot list GPUs: nvidia-smi was not found on this host (tried '"
                    + executable + "'); is the NVIDIA driver installed?", e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new GpuLookupException("cannot list GPUs: nvidia-smi did not answer within "
                        + timeout.toSeconds() + " s");
            }
            String text = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                String first = text.strip().lines().findFirst().orElse("(no output)");
                String hint = text.contains("compute_cap") ? " (the compute_cap field needs NVIDIA driver R510 or newer)" : "";
                throw new GpuLookupException("cannot list GPUs: nvidia-smi exited with " + process.exitValue()
                        + ": " + first + hint);
            }
            return parse(text);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GpuLookupException("cannot list GPUs: interrupted while waiting for nvidia-smi", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new GpuLookupException("cannot list GPUs: reading nvidia-smi's output failed: " + e.getMessage(), e);
        }
    }

    /** Parses the CSV lines of {@link #QUERY}; blank lines and stray spaces are ignored. */
    static List<GpuInfo> parse(String output) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String line : output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            String[] fields = line.split(",", 4);
            if (fields.length != 4) {
                throw unexpected(line, "expected index, uuid, compute capability, name");
            }
            String index = fields[0].strip();
            String capability = fields[2].strip();
            String name = fields[3].strip().replaceAll("\\s+", " ");
            if (!index.matches("\\d+")) {
                throw unexpected(line, "index '" + index + "' is not a number");
            }
            Matcher cc = CAPABILITY.matcher(capability);
            if (!cc.matches()) {
                throw unexpected(line, "compute capability '" + capability + "' is not MAJOR.MINOR");
            }
            gpus.add(new GpuInfo(Integer.parseInt(index), fields[1].strip(), name,
                    Integer.parseInt(cc.group(1)), Integer.parseInt(cc.group(2))));
        }
        return List.copyOf(gpus);
    }

    private static GpuLookupException unexpected(String line, String why) {
        return new GpuLookupException("cannot list GPUs: unexpected nvidia-smi line '" + line + "' (" + why + ")");
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
