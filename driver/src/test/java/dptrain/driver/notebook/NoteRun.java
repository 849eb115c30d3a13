package dptrain.driver.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One note run by {@link NotebookRunner} in a JVM of its own, and what came of it: each
 * paragraph's status and output ({@code results.json}), the exit status, the logs.
 *
 * <p>The JVM is what a Zeppelin Spark interpreter is: Spark, Hadoop and Scala with the Scala
 * compiler and spark-repl (the jars of {@code driver/target/classpath.txt} except DL4J's, ND4J's
 * and JavaCPP's, as for the cluster tests' Spark installation), plus {@code driver/target/dptrain.jar}
 * as {@code spark.jars} would add it, so the notes use dptrain only through the jar users get. The
 * test classes are there too, for the runner and its {@code z}.
 *
 * @param note the {@code .zpln} file
 * @param dir the run's directory: {@code results.json}, {@code stdout.log}, {@code stderr.log},
 *            and {@code work/}, the note's {@code DPTRAIN_WORK} unless the caller gives another
 * @param work the note's {@code DPTRAIN_WORK}, where it reads and writes its data
 * @param exitStatus the runner's exit status (0 passed, 1 a paragraph failed, 2 the runner failed)
 * @param results {@code results.json}, or {@code null} when the runner wrote none
 * @param seconds how long the run took, JVM start included
 */
record NoteRun(Path note, Path dir, Path work, int exitStatus, JsonNode results, double seconds) {

    static final Path REPOSITORY = repositoryRoot();
    /** The build under test (Maven passes its jar and class path: target/ for Spark 3.5, target/spark4/ for Spark 4). */
    static final Path JAR = Path.of(System.getProperty("dptrain.jar", REPOSITORY.resolve("driver/target/dptrain.jar").toString()));
    private static final Path CLASSPATH = Path.of(System.getProperty("dptrain.classpath",
            REPOSITORY.resolve("driver/target/classpath.txt").toString()));
    /** What a Spark installation does not have: the notes get it from dptrain.jar. */
    private static final List<String> APPLICATION_GROUPS = List.of("/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/");
    /** A guard against a hung interpreter, not a performance limit. */
    private static final long LIMIT_MINUTES = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Runs the note with these environment variables (the notes' settings) added to the runner's;
     * a {@code DPTRAIN_WORK} among them (a note that continues another's run) replaces {@code dir/work}.
     */
    static NoteRun of(Path note, Path dir, Map<String, String> environment) throws IOException, InterruptedException {
        for (Path required : List.of(JAR, CLASSPATH)) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalStateException(required + " is missing: it is built in the package phase,"
                        + " run these tests with ./mvnw verify (failsafe runs after package)");
            }
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Path work = Path.of(environment.getOrDefault("DPTRAIN_WORK", dir.resolve("work").toString()));
        Files.createDirectories(work);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java17Options());
        command.addAll(List.of("-Xmx2g",
                "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false",
                "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1",
                "-Dlog4j2.configurationFile=" + REPOSITORY.resolve("conf/log4j2.properties"),
                "-cp", classpath(),
                NotebookRunner.class.getName(),
                dir.resolve("results.json").toString(),
                note.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("DPTRAIN_HOME", REPOSITORY.toString());
        builder.environment().putAll(environment);
        builder.environment().put("DPTRAIN_WORK", work.toString());
        long begin = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(note.getFileName() + ": the notebook runner did not finish in " + LIMIT_MINUTES
                    + " minutes\n" + tail(dir.resolve("stdout.log")) + "\n" + tail(dir.resolve("stderr.log")));
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        Path results = dir.resolve("results.json");
        return new NoteRun(note, dir, work, process.exitValue(),
                Files.isRegularFile(results) ? JSON.readTree(results.toFile()) : null, seconds);
    }

    /** Fails naming the note, the first failed paragraph (number and title) and its error output. */
    void assertPassed() {
        if (results == null) {
            throw new AssertionError(note.getFileName() + ": the notebook runner failed before running the note"
                    + " (exit status " + exitStatus + ")\n" + tail(dir.resolve("stdout.log")) + "\n"
                    + tail(dir.resolve("stderr.log")));
        }
        int ran = 0;
        for (JsonNode paragraph : results.path("paragraphs")) {
            String status = paragraph.path("status").asText();
            if (!status.equals("SUCCESS") && !status.equals("SKIPPED")) {
                throw new AssertionError(note.getFileName() + ": " + label(paragraph) + " failed (" + status
                        + "):\n" + paragraph.path("output").asText() + "\n" + tail(dir.resolve("stderr.log")));
            }
            ran += status.equals("SUCCESS") ? 1 : 0;
        }
        if (ran == 0 || exitStatus != 0) {
            throw new AssertionError(note.getFileName() + ": " + ran + " paragraphs ran, exit status " + exitStatus
                    + "\n" + tail(dir.resolve("stderr.log")));
        }
    }

    /** The result entry of the paragraph with this title. */
    JsonNode paragraph(String title) {
        for (JsonNode paragraph : results.path("paragraphs")) {
            if (paragraph.path("title").asText().equals(title)) {
                return paragraph;
            }
        }
        throw new AssertionError(note.getFileName() + ": no paragraph titled \"" + title + "\"");
    }

    JsonNode paragraph(int number) {
        for (JsonNode paragraph : results.path("paragraphs")) {
            if (paragraph.path("number").asInt() == number) {
                return paragraph;
            }
        }
        throw new AssertionError(note.getFileName() + ": no paragraph " + number);
    }

    String output(String title) {
        return paragraph(title).path("output").asText();
    }

    static String label(JsonNode paragraph) {
        String title = paragraph.path("title").asText("");
        return "paragraph " + paragraph.path("number").asInt() + (title.isEmpty() ? "" : " \"" + title + "\"");
    }

    private static String classpath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : Files.readString(CLASSPATH).trim().split(File.pathSeparator)) {
            if (APPLICATION_GROUPS.stream().noneMatch(entry::contains)) {
                entries.add(entry);
            }
        }
        // what Zeppelin's Spark interpreter adds to Spark: spark-repl (Scala 2.12) and the Scala compiler
        for (Class<?> added : ScalaInterpreter.addedToSpark()) {
            entries.add(codeSource(added));
        }
        entries.add(codeSource(NotebookRunner.class));
        entries.add(JAR.toString());
        return String.join(File.pathSeparator, entries);
    }

    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test JVM's own --add-opens list (failsafe's argLine: the root pom's java17.opens). */
    private static List<String> java17Options() {
        List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> option.startsWith("--add-opens") || option.startsWith("-Djdk.reflect")).toList();
        if (options.isEmpty()) {
            throw new IllegalStateException("the test JVM has no --add-opens options; run through Maven"
                    + " (the root pom's java17.opens is failsafe's argLine)");
        }
        return options;
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            return "--- last lines of " + file + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static Path repositoryRoot() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("notebooks")) && Files.isRegularFile(at.resolve("deploy/submit.sh"))) {
                return at;
            }
        }
        throw new IllegalStateException("notebooks/ not found above " + Path.of("").toAbsolutePath());
    }
}
