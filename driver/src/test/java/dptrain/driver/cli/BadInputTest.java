package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dptrain.driver.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input through the command line ({@link Main#run}): exit code 2, exactly one line
 * {@code dptrain: error: <what is wrong>} on stderr, no stack trace, and nothing written or
 * changed. Every case starts from a copy of one finished run (two checkpoints, {@code model.zip},
 * {@code summary.json}, {@code metrics.jsonl}) and checks afterwards that every file of its
 * directory still has the same bytes.
 *
 * <p>The README's "Errors" section is the table of these cases; keep the two in step.
 */
class BadInputTest {

    private static final String ERROR = "dptrain: error: ";

    /** 12 rows, three classes; data lines are file lines 2..13, so an appended row is line 14. */
    private static final String GOOD_CSV = csv(12, row -> String.valueOf(row % 3));

    @TempDir
    static Path root;

    /** A finished run of the base spec: checkpoint-000001.dpt, checkpoint-000002.dpt, model.zip, ... */
    static Path baseline;

    @BeforeAll
    static void trainBaseline() throws IOException {
        SparkTestSession.get();
        Path dir = Files.createDirectories(root.resolve("baseline"));
        Path train = dir.resolve("train.csv");
        Files.writeString(train, GOOD_CSV);
        baseline = dir.resolve("run");
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, baseSpec(train.toString(), baseline.toString()));

        Result result = cli("train", spec.toString());

        assertEquals(0, result.code(), result.err());
        for (String file : List.of("model.zip", "summary.json", "metrics.jsonl",
                "checkpoints/checkpoint-000001.dpt", "checkpoints/checkpoint-000002.dpt")) {
            assertTrue(Files.isRegularFile(baseline.resolve(file)), file + " missing after the baseline run");
        }
    }

    static String baseSpec(String train, String outputDir) {
        return """
                data:
                  format: csv
                  train: %s
                  label: label
                model:
                  layers:
                    - {units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 8
                  epochs: 2
                  seed: 7
                output:
                  dir: %s
                """.formatted(train, outputDir);
    }

    /** {@code f1,f2,label} with {@code rows} deterministic rows. */
    static String csv(int rows, Function<Integer, String> label) {
        StringBuilder text = new StringBuilder("f1,f2,label\n");
        for (int row = 0; row < rows; row++) {
            text.append((row * 37 % 17) / 17.0).append(',').append((row * 11 % 13) / 13.0).append(',')
                    .append(label.apply(row)).append('\n');
        }
        return text.toString();
    }

    /** The good data with {@code line} appended as file line 14. */
    static String withLine(String line) {
        return GOOD_CSV + line + "\n";
    }

    /** One bad input: how to set it up (returns the command line) and the message it must give. */
    record Case(Function<Workspace, List<String>> setup, Function<Workspace, String> message) {
    }

    static Arguments bad(String what, Function<Workspace, List<String>> setup, Function<Workspace, String> message) {
        return arguments(what, new Case(setup, message));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- command line
                bad("command: spec file argument missing",
                        w -> List.of("train"),
                        w -> "expected 'train <spec.yaml> [key=value ...]', got 'train'"),
                bad("command: unknown command",
                        w -> List.of("fit", w.writeSpec()),
                        w -> "expected 'train <spec.yaml> [key=value ...]', got 'fit " + w.path("spec.yaml") + "'"),

                // ---- spec
                bad("spec: missing spec file",
                        w -> List.of("train", w.path("nope.yaml")),
                        w -> "spec file not found: " + w.path("nope.yaml")),
                bad("spec: YAML syntax error",
                        w -> w.edit(text -> "data: format: csv\n" + text.substring(text.indexOf("model:"))).args(),
                        w -> w.path("spec.yaml") + ":1:13: YAML syntax error: mapping values are not allowed here"),
                bad("spec: unknown key",
                        w -> w.edit(text -> text.replace("epochs: 2", "epoch: 2")).args(),
                        w -> "unknown key 'training.epoch' (did you mean 'training.epochs'?)"),
                bad("spec: wrong type",
                        w -> w.edit(text -> text.replace("batch_size: 8", "batch_size: eight")).args(),
                        w -> "training.batch_size: expected a positive integer, got \"eight\""),
                bad("spec: zero units",
                        w -> w.edit(text -> text.replace("{units: 8,", "{units: 0,")).args(),
                        w -> "model.layers[0].units: expected a positive integer, got 0"),
                bad("spec: negative batch size",
                        w -> w.args("training.batch_size=-1"),
                        w -> "training.batch_size: expected a positive integer, got -1"),
                bad("spec: zero epochs",
                        w -> w.args("training.epochs=0"),
                        w -> "training.epochs: expected a positive integer, got 0"),
                bad("spec: unknown activation",
                        w -> w.edit(text -> text.replace("activation: tanh", "activation: relux")).args(),
                        w -> "model.layers[0].activation: unknown value 'relux'; allowed: relu, leakyrelu, elu, "
                                + "sigmoid, tanh, softmax, identity"),
                bad("spec: unknown loss",
                        w -> w.args("model.layers[1].loss=hinge"),
                        w -> "model.layers[1].loss: unknown value 'hinge'; allowed: mse, mae, huber, bce, mcxent, sparse_mcxent"),
                bad("spec: unknown optimizer",
                        w -> w.args("training.optimizer.type=lamb"),
                        w -> "training.optimizer.type: unknown value 'lamb'; allowed: sgd, momentum, nesterov, "
                                + "rmsprop, adam, adamw, adagrad"),
                bad("spec: both clipping kinds",
                        w -> w.args("training.optimizer.clip_norm=1", "training.optimizer.clip_value=0.5"),
                        w -> "training.optimizer.clip_value: cannot be combined with training.optimizer.clip_norm (1); "
                                + "choose one, got 0.5"),
                bad("spec: a schedule key its type does not use",
                        w -> w.args("training.optimizer.schedule={type: cosine, gamma: 0.5}"),
                        w -> "training.optimizer.schedule.gamma: not used by schedule type cosine; it uses "
                                + "decay_iterations, min_learning_rate"),
                bad("spec: adamw with model.l2",
                        w -> w.args("training.optimizer.type=adamw", "model.l2=0.001"),
                        w -> "training.optimizer.weight_decay: cannot be combined with model.l2 (0.001); set one of "
                                + "them to 0 (adamw decays by 0.01 unless told otherwise), got 0.01"),
                bad("spec: averaging frequency with gradient averaging",
                        w -> w.args("training.averaging_frequency=8"),
                        w -> "training.averaging_frequency: only used with training.averaging: parameters (gradients "
                                + "are averaged every iteration), got 8"),
                bad("spec: batch size below workers",
                        w -> w.args("training.batch_size=1"),
                        w -> "training.batch_size: must be >= training.workers (2), got 1"),
                bad("spec: output.dir missing",
                        w -> w.edit(text -> text.substring(0, text.indexOf("output:"))).args(),
                        w -> "output.dir: required"),
                bad("spec: malformed override",
                        w -> w.args("training.epochs"),
                        w -> "malformed override 'training.epochs': expected key=value, e.g. training.epochs=3"),
                bad("spec: validation_fraction 1.5",
                        w -> w.args("data.validation_fraction=1.5"),
                        w -> "data.validation_fraction: must be in [0, 1), got 1.5"),

                // ---- data
                bad("data: train path missing",
                        w -> w.train(w.path("missing.csv")).args(),
                        w -> "data.train: path not found: " + w.path("missing.csv")),
                bad("data: test path missing",
                        w -> w.args("data.test=" + w.path("missing-test.csv")),
                        w -> "data.test: path not found: " + w.path("missing-test.csv")),
                bad("data: empty file",
                        w -> w.data("").args(),
                        w -> "data.train: file is empty: " + w.path("data.csv")),
                bad("data: wrong label column",
                        w -> w.edit(text -> text.replace("label: label", "label: price")).args(),
                        w -> "data.label: column 'price' not found in " + w.path("train.csv")
                                + "; columns: f1, f2, label"),
                bad("data: wrong feature column",
                        w -> w.args("data.features=[f1,f3]"),
                        w -> "data.features: column 'f3' not found in " + w.path("train.csv")
                                + "; columns: f1, f2, label"),
                bad("data: non-numeric value",
                        w -> w.data(withLine("0.5,abc,1")).args(),
                        w -> w.path("data.csv") + " line 14, column 'f2': not a number: \"abc\""),
                bad("data: missing value",
                        w -> w.data(withLine("0.5,,1")).args(),
                        w -> w.path("data.csv") + " line 14, column 'f2': missing value"),
                bad("data: NaN",
                        w -> w.data(withLine("NaN,0.5,1")).args(),
                        w -> w.path("data.csv") + " line 14, column 'f1': NaN/Infinity not allowed: NaN"),
                bad("data: Infinity",
                        w -> w.data(withLine("0.5,Infinity,1")).args(),
                        w -> w.path("data.csv") + " line 14, column 'f2': NaN/Infinity not allowed: Infinity"),
                bad("data: ragged row",
                        w -> w.data(withLine("0.5,1")).args(),
                        w -> w.path("data.csv") + " line 14: expected 3 fields, found 2"),
                bad("data: label out of range",
                        w -> w.data(withLine("0.5,0.5,7")).args(),
                        w -> "label 7 at " + w.path("data.csv") + " line 14 is out of range 0..2 (output layer has 3 units)"),
                bad("data: fractional class label",
                        w -> w.data(withLine("0.5,0.5,1.5")).args(),
                        w -> "label 1.5 at " + w.path("data.csv") + " line 14 is not an integer class index; "
                                + "classification labels are integers 0..2 or class names"),
                bad("data: a single class",
                        w -> w.data(csv(12, row -> "a")).args(),
                        w -> "data.label: only one class ('a') in " + w.path("data.csv")
                                + "; classification needs at least 2"),
                bad("data: output units differ from the classes",
                        w -> w.data(csv(12, row -> row % 2 == 0 ? "a" : "b")).args(),
                        w -> "data.label: output layer has 3 units but " + w.path("data.csv") + " has 2 classes (a, b)"),
                bad("data: test file with an unknown class",
                        w -> w.data(csv(12, row -> String.valueOf("abc".charAt(row % 3))))
                                .args("data.test=" + w.write("test.csv", "f1,f2,label\n0.1,0.2,a\n0.3,0.4,d\n")),
                        w -> "label 'd' at " + w.path("test.csv") + " line 3 is not one of the training classes (a, b, c)"),
                bad("data: fewer rows than workers",
                        w -> w.data(csv(3, row -> String.valueOf(row))).args("data.validation_fraction=0",
                                "training.workers=4"),
                        w -> "data.train: 3 training rows in " + w.path("data.csv") + " (after holding out 0 for "
                                + "validation) for 4 workers; every worker needs at least one row"),

                // ---- runtime: output, checkpoints, Spark
                bad("runtime: output.dir below a regular file",
                        w -> w.args("output.dir=" + w.write("blocker", "a file, not a directory") + "/run",
                                "checkpoint.dir=" + w.run().resolve("checkpoints")),
                        w -> "output.dir: cannot write to file:" + w.path("blocker") + "/run: Parent path is not a "
                                + "directory: " + w.path("blocker")),
                bad("runtime: output.dir is a regular file",
                        w -> w.args("output.dir=" + w.write("not-a-dir", "a file, not a directory"),
                                "checkpoint.dir=" + w.run().resolve("checkpoints")),
                        w -> "output.dir: cannot write to file:" + w.path("not-a-dir") + ": Destination exists and "
                                + "is not a directory: " + w.path("not-a-dir")),
                bad("runtime: checkpoint of a different model",
                        w -> w.args("model.layers[0].units=16"),
                        w -> "checkpoint.dir: the checkpoint of epoch 2 in file:" + w.run().resolve("checkpoints")
                                + " was written for a different model, optimizer or seed; use another checkpoint.dir,"
                                + " or checkpoint.resume=false to start over"),
                bad("runtime: corrupt newest checkpoint (caught by Hadoop's .crc)",
                        w -> w.flipByte("checkpoints/checkpoint-000002.dpt").args(),
                        w -> "checkpoint file:" + w.run().resolve("checkpoints/checkpoint-000002.dpt")
                                + " is corrupt (checksum mismatch); the next older valid one is checkpoint-000001.dpt;"
                                + " delete the corrupt file to resume from it"),
                bad("runtime: corrupt newest checkpoint without a .crc (caught by its SHA-256)",
                        w -> w.flipByte("checkpoints/checkpoint-000002.dpt")
                                .delete("checkpoints/.checkpoint-000002.dpt.crc").args(),
                        w -> "checkpoint file:" + w.run().resolve("checkpoints/checkpoint-000002.dpt")
                                + " is corrupt (checksum mismatch); the next older valid one is checkpoint-000001.dpt;"
                                + " delete the corrupt file to resume from it"),
                bad("runtime: more workers than Spark slots",
                        w -> w.args("training.workers=8"),
                        w -> "training.workers: 8 workers need 8 task slots at once, but Spark master local[4] has 4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGivesOneLineExitTwoAndChangesNothing(String what, Case badInput) throws IOException {
        Workspace w = new Workspace(Files.createTempDirectory(root, "case"));
        List<String> args = badInput.setup().apply(w);
        Map<String, String> before = w.snapshot();

        Result result = cli(args.toArray(String[]::new));

        assertFalse(result.err().contains("\tat "), "stack trace on stderr:\n" + result.err());
        assertEquals(List.of(ERROR + badInput.message().apply(w)), result.err().lines().toList());
        assertEquals(2, result.code(), result.err());
        assertEquals("", result.out());
        assertEquals(before, w.snapshot(), "files changed by a run that failed on bad input");
    }

    @Test
    void verbosePrintsTheStackTraceAfterTheLine() throws IOException {
        Workspace w = new Workspace(Files.createTempDirectory(root, "verbose"));
        List<String> args = new ArrayList<>(w.args("training.epochs=0"));
        args.add("--verbose");

        Result result = cli(args.toArray(String[]::new));

        assertEquals(2, result.code(), result.err());
        List<String> lines = result.err().lines().toList();
        assertEquals(ERROR + "training.epochs: expected a positive integer, got 0", lines.get(0));
        assertTrue(lines.size() > 1, result.err());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("\tat dptrain.driver.config.")), result.err());
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Result result = cli("--help");

        assertEquals(0, result.code());
        assertTrue(result.out().startsWith("usage: dptrain train <spec.yaml> [key=value ...] [--verbose]\n"),
                result.out());
        assertEquals("", result.err());
    }

    @Test
    void noArgumentsPrintsUsageAndExitsTwo() {
        Result result = cli();

        assertEquals(2, result.code());
        assertTrue(result.err().startsWith("usage: dptrain train <spec.yaml> [key=value ...] [--verbose]\n"),
                result.err());
        assertEquals("", result.out());
    }

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * One case's directory: {@code run/} (a copy of the baseline run), {@code train.csv} (good
     * data), {@code spec.yaml} (the base spec, edited) and whatever bad files the case writes.
     */
    static final class Workspace {

        private final Path dir;
        private final Path run;
        private String train;
        private UnaryOperator<String> edits = UnaryOperator.identity();

        Workspace(Path dir) throws IOException {
            this.dir = dir;
            this.run = dir.resolve("run");
            copy(baseline, run);
            this.train = write("train.csv", GOOD_CSV);
        }

        String path(String name) {
            return dir.resolve(name).toString();
        }

        Path run() {
            return run;
        }

        String write(String name, String content) {
            try {
                return Files.writeString(dir.resolve(name), content).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Points data.train at {@code data.csv} holding {@code content}. */
        Workspace data(String content) {
            return train(write("data.csv", content));
        }

        Workspace train(String path) {
            train = path;
            return this;
        }

        Workspace edit(UnaryOperator<String> edit) {
            UnaryOperator<String> earlier = edits;
            edits = text -> edit.apply(earlier.apply(text));
            return this;
        }

        /** Flips one bit in the middle of a file of the run, leaving Hadoop's .crc beside it as it was. */
        Workspace flipByte(String file) {
            try {
                Path target = run.resolve(file);
                byte[] bytes = Files.readAllBytes(target);
                bytes[bytes.length / 2] ^= 0x10;
                Files.write(target, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Workspace delete(String file) {
            try {
                Files.delete(run.resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        String writeSpec() {
            return write("spec.yaml", edits.apply(baseSpec(train, run.toString())));
        }

        List<String> args(String... overrides) {
            List<String> args = new ArrayList<>(List.of("train", writeSpec()));
            args.addAll(List.of(overrides));
            return args;
        }

        /** SHA-256 of every file under the case directory, by relative path. */
        Map<String, String> snapshot() throws IOException {
            Map<String, String> files = new TreeMap<>();
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path file : paths.filter(Files::isRegularFile).toList()) {
                    files.put(dir.relativize(file).toString(), sha256(Files.readAllBytes(file)));
                }
            }
            return files;
        }

        private static void copy(Path from, Path to) throws IOException {
            try (Stream<Path> paths = Files.walk(from)) {
                for (Path source : paths.toList()) {
                    Files.copy(source, to.resolve(from.relativize(source).toString()));
                }
            }
        }

        private static String sha256(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
