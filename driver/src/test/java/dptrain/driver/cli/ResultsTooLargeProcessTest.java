package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real deterministic failure on real Spark: {@code spark.driver.maxResultSize} far below the
 * state rank 0 returns, so Spark aborts the epoch's stage the way it did for a 99 M-parameter Adam
 * model at the default 1 GiB. The run must stop after its first attempt with the line that names
 * the setting, although {@code training.epoch_retries} would allow two relaunches. It runs in its
 * own JVM because the limit is a SparkContext setting and the other Spark tests share one context.
 */
class ResultsTooLargeProcessTest {

    @TempDir
    Path dir;

    @Test
    void resultsOverMaxResultSizeStopAfterOneAttemptWithTheSetting() throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int row = 0; row < 32; row++) {
            csv.append(row % 7).append(',').append(row % 3).append(',').append(row % 2).append('\n');
        }
        Path train = Files.writeString(dir.resolve("train.csv"), csv);
        // 2-4000-2 with Adam: about 20,000 parameters, so rank 0 returns about 240 KiB of state
        Path spec = Files.writeString(dir.resolve("spec.yaml"), """
                data: {format: csv, train: %s, label: y}
                model: {layers: [{units: 4000}, {type: output, units: 2, loss: mcxent}]}
                training: {workers: 2, batch_size: 8, epochs: 3, epoch_retries: 2, optimizer: {type: adam}}
                output: {dir: %s}
                """.formatted(train, dir.resolve("run")));

        Exit exit = dptrain(List.of("-Dspark.driver.maxResultSize=100k"), "train", spec.toString());

        List<String> lines = exit.stderr().lines().toList();
        // the size varies slightly between attempts and runs (task metrics travel with the results)
        String error = lines.get(lines.size() - 2).replaceFirst("results \\(\\d+\\.\\d KiB\\)", "results (N KiB)");
        assertEquals("dptrain: training failed: epoch 1 cannot finish: the ranks' results (N KiB) exceed"
                + " spark.driver.maxResultSize (100.0 KiB); raise spark.driver.maxResultSize"
                + " (e.g. --conf spark.driver.maxResultSize=1g)", error, exit.stderr());
        assertTrue(lines.stream().noneMatch(line -> line.contains("relaunching")),
                "a deterministic failure was relaunched:\n" + exit.stderr());
        assertEquals(1, exit.status(), exit.stderr());
        assertTrue(Files.notExists(dir.resolve("run/model.zip")), exit.stderr());
    }

    private record Exit(int status, String stderr) {
    }

    /** Main in a fresh JVM the way ./dptrain runs it: Spark's --add-opens, conf/log4j2.properties. */
    private Exit dptrain(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("--add-opens") || option.startsWith("-Djdk.reflect")) {
                command.add(option);
            }
        }
        command.add("-Xmx1g");
        command.addAll(jvmOptions);
        command.add("-Dlog4j2.configurationFile=" + repositoryFile("conf/log4j2.properties"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("dptrain did not exit within 180 s; stderr:\n" + Files.readString(stderr));
        }
        return new Exit(process.exitValue(), Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static Path repositoryFile(String name) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve(name))) {
                return at.resolve(name);
            }
        }
        throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
    }
}
