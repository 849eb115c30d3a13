package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * The real command line: {@code java ... dptrain.driver.cli.Main} in its own JVM, with the
 * launcher's logging configuration ({@code conf/log4j2.properties}, console on stderr), so the
 * exit status comes from {@code System.exit} and stderr holds everything the user sees,
 * log lines included. {@link BadInputTest} covers the cases in-process; these two show the
 * same holds end to end, before and after Spark starts.
 */
class CommandLineProcessTest {

    @TempDir
    Path dir;

    @Test
    void specErrorIsTheOnlyLineOnStderr() throws Exception {
        Path spec = Files.writeString(dir.resolve("spec.yaml"), """
                data: {format: csv, train: %s, label: y}
                model: {layers: [{type: output, units: 2, loss: mcxent}]}
                training: {epoch: 1}
                output: {dir: %s}
                """.formatted(dir.resolve("train.csv"), dir.resolve("run")));

        Exit exit = dptrain("train", spec.toString());

        assertEquals(List.of("dptrain: error: unknown key 'training.epoch' (did you mean 'training.epochs'?)"),
                exit.stderr().lines().toList());
        assertEquals(2, exit.status(), exit.stderr());
        assertEquals("", exit.stdout());
    }

    /**
     * After Spark has started, stderr also carries the log (the effective spec at INFO, by
     * design); the error is still one line, the last one, stated once, with no stack trace and
     * no warnings before it.
     */
    @Test
    void dataErrorIsOneLineAfterTheLog() throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int row = 0; row < 12; row++) {
            csv.append(row).append(',').append(row % 5).append(',').append(row % 2).append('\n');
        }
        csv.append("1,abc,0\n");
        Path train = Files.writeString(dir.resolve("train.csv"), csv);
        Path spec = Files.writeString(dir.resolve("spec.yaml"), """
                data: {format: csv, train: %s, label: y}
                model: {layers: [{units: 4}, {type: output, units: 2, loss: mcxent}]}
                training: {workers: 2, batch_size: 4, epochs: 1}
                output: {dir: %s}
                """.formatted(train, dir.resolve("run")));
        String error = train + " line 14, column 'x2': not a number: \"abc\"";

        Exit exit = dptrain("train", spec.toString());

        List<String> lines = exit.stderr().lines().toList();
        assertEquals("dptrain: error: " + error, lines.get(lines.size() - 1), exit.stderr());
        assertEquals(1, lines.stream().filter(line -> line.startsWith("dptrain: ")).count(), exit.stderr());
        assertEquals(1, lines.stream().filter(line -> line.contains(error)).count(),
                "the error is stated more than once:\n" + exit.stderr());
        assertTrue(lines.subList(0, lines.size() - 1).stream()
                        .allMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d INFO .*")),
                "only INFO log lines may come before the error:\n" + exit.stderr());
        assertEquals(2, exit.status(), exit.stderr());
        assertTrue(Files.notExists(dir.resolve("run/checkpoints")), "checkpoint dir created by a failed run");
    }

    /**
     * With {@code spark.authenticate} the all-reduce key is derived in each task from Spark's
     * application secret and the shipped nonce; two workers must still agree on it and train.
     */
    @Test
    void trainsWithSparkAuthentication() throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int row = 0; row < 64; row++) {
            csv.append(row % 7).append(',').append(row % 3).append(',').append(row % 2).append('\n');
        }
        Path train = Files.writeString(dir.resolve("train.csv"), csv);
        Path spec = Files.writeString(dir.resolve("spec.yaml"), """
                data: {format: csv, train: %s, label: y, validation_fraction: 0.25}
                model: {layers: [{units: 4}, {type: output, units: 2, loss: mcxent}]}
                training: {workers: 2, batch_size: 8, epochs: 1}
                output: {dir: %s}
                """.formatted(train, dir.resolve("run")));

        Exit exit = dptrain(List.of("-Dspark.authenticate=true", "-Dspark.authenticate.secret=test-application-secret"),
                "train", spec.toString());

        assertEquals(0, exit.status(), exit.stderr());
        assertTrue(exit.stderr().contains("all-reduce key derived from the Spark application secret"), exit.stderr());
        assertTrue(Files.isRegularFile(dir.resolve("run/model.zip")), exit.stderr());
    }

    record Exit(int status, String stdout, String stderr) {
    }

    /** Runs Main in a fresh JVM the way ./dptrain does: Spark's --add-opens, conf/log4j2.properties. */
    private Exit dptrain(String... args) throws IOException, InterruptedException {
        return dptrain(List.of(), args);
    }

    private Exit dptrain(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return dptrain(dir, jvmOptions, args);
    }

    /**
     * Main in a fresh JVM in {@code dir} (its stdout.txt and stderr.txt there), the way ./dptrain
     * runs it; the other process tests of this package use it too.
     */
    static Exit dptrain(Path dir, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
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
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("dptrain did not exit within 180 s; stderr:\n" + Files.readString(stderr));
        }
        return new Exit(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    /** A file of the repository, found from the module directory Surefire runs in. */
    private static Path repositoryFile(String name) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve(name))) {
                return at.resolve(name);
            }
        }
        throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
    }
}
