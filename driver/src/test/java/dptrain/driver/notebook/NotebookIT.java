package dptrain.driver.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecLoader;
import dptrain.driver.network.NetworkFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * <b>Slow test</b> (failsafe, {@code ./mvnw verify}, after the package phase built
 * {@code driver/target/dptrain.jar}): every Zeppelin note in {@code notebooks/} is run, its
 * {@code %spark} paragraphs in order, by {@link NotebookRunner} in the Scala interpreter that
 * Zeppelin's Spark interpreter wraps, against dptrain.jar, each note in a JVM of its own on Spark
 * {@code local[2]}; a paragraph that fails to compile or throws fails the test with the note, the
 * paragraph's number and title and the error. Every chart a note configures must find its columns
 * in the table the paragraph shows. Then each note's products are checked in numbers, and two broken
 * notes (test resources) show that a failing paragraph is caught and named.
 *
 * <p>Runs and logs stay in {@code driver/target/notebook-it/<note>/} ({@code stdout.log} has every
 * paragraph's output, {@code stderr.log} Spark's and dptrain's log).
 */
class NotebookIT {

    private static final Path NOTEBOOKS = NoteRun.REPOSITORY.resolve("notebooks");
    private static final Path RUNS = NoteRun.JAR.getParent().resolve("notebook-it");
    private static final String FASHION_MNIST = "1-train-fashion-mnist_2KDPTN001.zpln";
    private static final String IRIS_PIPELINE = "2-spark-ml-pipeline-iris_2KDPTN002.zpln";
    private static final String RETRAIN = "3-retrain-from-latest-model_2KDPTN003.zpln";
    /** Epochs of the Fashion-MNIST note's run here (DPTRAIN_EPOCHS; the note's own default is 10). */
    private static final int EPOCHS = 2;
    /** Epochs the retrain note adds here (DPTRAIN_RETRAIN_EPOCHS; the note's own default is 5). */
    private static final int RETRAIN_EPOCHS = 1;
    /** Notes that continue another note's run: that note runs first, and they share its DPTRAIN_WORK. */
    private static final Map<String, String> CONTINUES = Map.of(RETRAIN, FASHION_MNIST);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, NoteRun> DONE = new HashMap<>();

    /** One test per note: every %spark paragraph passes and every chart finds its columns. */
    @TestFactory
    Stream<DynamicTest> everyNoteRunsAllItsSparkParagraphsInOrder() throws IOException {
        List<Path> notes;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notes = files.filter(file -> file.toString().endsWith(".zpln")).sorted().toList();
        }
        assertTrue(notes.containsAll(Stream.of(FASHION_MNIST, IRIS_PIPELINE, RETRAIN).map(NOTEBOOKS::resolve).toList()),
                "notes found: " + notes);
        return notes.stream().map(note -> DynamicTest.dynamicTest(note.getFileName().toString(), () -> {
            NoteRun run = run(note);
            run.assertPassed();
            assertChartsFindTheirColumns(Note.read(note), run);
        }));
    }

    @Test
    void fashionMnistNoteTrainsAndShowsEveryEpochOfMetricsJsonl() throws Exception {
        NoteRun run = run(NOTEBOOKS.resolve(FASHION_MNIST));
        run.assertPassed();
        Path runDir = run.work().resolve("fashion-mnist-mlp");

        List<JsonNode> epochs = epochLines(runDir);
        assertEquals(EPOCHS, epochs.size(), "epoch lines in metrics.jsonl");
        // the chart's table is metrics.jsonl, epoch by epoch, number for number
        ResultMessage losses = onlyTable(run, "Loss per epoch");
        assertEquals(List.of("epoch", "train_loss", "val_loss"), losses.columns());
        assertEquals(EPOCHS, losses.rows().size(), losses.data());
        for (int i = 0; i < EPOCHS; i++) {
            List<String> row = losses.rows().get(i);
            assertEquals(i + 1, Integer.parseInt(row.get(0)));
            assertEquals(epochs.get(i).get("train_loss").asDouble(), Double.parseDouble(row.get(1)), 0.0);
            assertEquals(epochs.get(i).get("val_loss").asDouble(), Double.parseDouble(row.get(2)), 0.0);
        }
        assertTrue(epochs.get(EPOCHS - 1).get("train_loss").asDouble() < epochs.get(0).get("train_loss").asDouble(),
                "train_loss falls: " + epochs);

        JsonNode summary = JSON.readTree(runDir.resolve("summary.json").toFile());
        double testAccuracy = summary.get("test_accuracy").asDouble();
        assertEquals(EPOCHS, summary.get("epochs_run").asInt());
        assertTrue(testAccuracy >= 0.8, "test accuracy after " + EPOCHS + " epochs: " + testAccuracy);
        assertTrue(run.output("Train").contains(String.format("test accuracy %.4f after %d epochs", testAccuracy, EPOCHS)),
                run.output("Train"));
        ResultMessage results = onlyTable(run, "Test results (summary.json)");
        assertEquals(testAccuracy, Double.parseDouble(results.rows().get(0).get(0)), 0.0);
        assertTrue(Files.size(runDir.resolve("model.zip")) > 100_000, "model.zip");
    }

    @Test
    void retrainNoteContinuesTheFashionMnistRunFromItsNewestCheckpointOnTheShippedSchedule() throws Exception {
        NoteRun source = run(NOTEBOOKS.resolve(FASHION_MNIST));
        source.assertPassed();
        NoteRun run = run(NOTEBOOKS.resolve(RETRAIN));
        run.assertPassed();
        Path sourceDir = source.work().resolve("fashion-mnist-mlp");
        Path retrainDir = run.work().resolve("fashion-mnist-mlp-retrained");
        JsonNode before = JSON.readTree(sourceDir.resolve("summary.json").toFile());
        JsonNode after = JSON.readTree(retrainDir.resolve("summary.json").toFile());

        assertEquals(EPOCHS, after.get("resumed_from_epoch").asInt());
        assertEquals(RETRAIN_EPOCHS, after.get("epochs_run").asInt());
        assertEquals(EPOCHS + RETRAIN_EPOCHS, after.get("epochs_total").asInt());
        int perEpoch = before.get("iterations").asInt() / EPOCHS;
        assertEquals(perEpoch * (EPOCHS + RETRAIN_EPOCHS), after.get("iterations").asInt());
        assertTrue(run.output("Retrain").contains(String.format("retrained from epoch %d to %d: test accuracy %.4f",
                EPOCHS, EPOCHS + RETRAIN_EPOCHS, after.get("test_accuracy").asDouble())), run.output("Retrain"));
        // note 1's run is left as it was: its newest checkpoint is still its own last epoch
        Checkpointer sourceCheckpoints = new Checkpointer(sourceDir.resolve("checkpoints").toString(), 3,
                new Configuration());
        Checkpoint latest = sourceCheckpoints.latest().orElseThrow();
        assertEquals(EPOCHS, latest.state().epoch());

        // Note 1's fixed cosine is the one the shipped spec builds for its 15 epochs of these rows, so
        // 10 epochs in note 1 and 5 in note 3 (their defaults) are the shipped run.
        JobSpec shipped = SpecLoader.load(NoteRun.REPOSITORY.resolve("conf/fashion-mnist-mlp.yaml"), List.of());
        int shippedIterations = perEpoch * shipped.training().epochs();
        assertEquals((before.get("train_rows").asInt() + shipped.training().batchSize() - 1)
                / shipped.training().batchSize(), perEpoch);
        String shippedConfiguration = NetworkFactory.configuration(shipped.model(),
                shipped.training().optimizer().forRun(shippedIterations), shipped.data().shape(), 784,
                shipped.training().seed()).toJson();
        assertEquals(shippedConfiguration, latest.configurationJson(), "note 1's network and optimizer");

        // every epoch of both runs, one after the other, on that cosine: the rate at the epoch's last iteration
        List<JsonNode> epochs = new ArrayList<>(epochLines(sourceDir));
        epochs.addAll(epochLines(retrainDir));
        assertEquals(EPOCHS + RETRAIN_EPOCHS, epochs.size(), "epochs of both runs: " + epochs);
        double learningRate = shipped.training().optimizer().learningRate();
        for (int i = 0; i < epochs.size(); i++) {
            JsonNode epoch = epochs.get(i);
            assertEquals(i + 1, epoch.get("epoch").asInt());
            assertEquals(perEpoch * (i + 1), epoch.get("iteration").asInt());
            double expected = learningRate * (1 + Math.cos(Math.PI * (perEpoch * (i + 1) - 1) / shippedIterations)) / 2;
            assertEquals(expected, epoch.get("lr").asDouble(), expected * 1e-6, "lr of epoch " + (i + 1));
        }
        // and it goes on learning from where note 1 stopped
        assertTrue(epochs.get(EPOCHS).get("train_loss").asDouble() < epochs.get(EPOCHS - 1).get("train_loss").asDouble(),
                "train_loss: " + epochs);
        assertTrue(after.get("test_accuracy").asDouble() >= 0.8, "test accuracy after retraining: " + after);

        ResultMessage results = onlyTable(run, "Before and after (summary.json)");
        assertEquals(List.of("model", "epochs_total", "test_accuracy", "test_loss", "val_accuracy"), results.columns());
        assertEquals(List.of("note 1", String.valueOf(EPOCHS), before.get("test_accuracy").asText()),
                results.rows().get(0).subList(0, 3));
        assertEquals(List.of("retrained", String.valueOf(EPOCHS + RETRAIN_EPOCHS), after.get("test_accuracy").asText()),
                results.rows().get(1).subList(0, 3));
        ResultMessage both = onlyTable(run, "Epochs of both runs");
        assertEquals(EPOCHS + RETRAIN_EPOCHS, both.rows().size(), both.data());
        for (int i = 0; i < epochs.size(); i++) {
            assertEquals(List.of(String.valueOf(i + 1), i < EPOCHS ? "note 1" : "retrained",
                    epochs.get(i).get("train_loss").asText()), both.rows().get(i).subList(0, 3));
        }
    }

    @Test
    void irisPipelineNoteReachesNinetyPercentAndItsSavedModelPredictsTheSame() throws Exception {
        NoteRun run = run(NOTEBOOKS.resolve(IRIS_PIPELINE));
        run.assertPassed();

        Matcher accuracy = Pattern.compile("test accuracy: (\\d\\.\\d{4}) \\((\\d+) of (\\d+) flowers\\)")
                .matcher(run.output("Evaluate on the test table"));
        assertTrue(accuracy.find(), run.output("Evaluate on the test table"));
        assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.9, "Iris test accuracy " + accuracy.group(1));
        assertEquals(30, Integer.parseInt(accuracy.group(3)), "test rows");
        assertEquals(Integer.parseInt(accuracy.group(2)) / 30.0, Double.parseDouble(accuracy.group(1)), 1e-4);

        ResultMessage confusion = onlyTable(run, "Test flowers by species and prediction");
        int flowers = 0;
        int right = 0;
        for (List<String> row : confusion.rows()) {
            flowers += Integer.parseInt(row.get(2));
            right += row.get(0).equals(row.get(1)) ? Integer.parseInt(row.get(2)) : 0;
        }
        assertEquals(30, flowers, confusion.data());
        assertEquals(Integer.parseInt(accuracy.group(2)), right, confusion.data());

        String reload = run.output("Save and load the PipelineModel");
        assertTrue(reload.contains("test accuracy " + accuracy.group(1) + ", same predictions: true"), reload);
        assertTrue(Files.isDirectory(run.work().resolve("iris-species-pipeline/stages")), "saved PipelineModel");
    }

    @Test
    void aParagraphThatDoesNotCompileFailsTheRunByNumberAndTitle() throws Exception {
        NoteRun run = run(resource("broken-compile.zpln"));

        assertEquals(1, run.exitStatus());
        // what ran before it worked, closures over earlier paragraphs on the executors included
        assertEquals("SKIPPED", run.paragraph(1).path("status").asText(), "%md");
        assertTrue(run.output("Closure over an earlier paragraph").contains("scaled sum: 15150.0"),
                run.output("Closure over an earlier paragraph"));
        assertEquals(List.of(List.of("1", "one"), List.of("2", "two")), onlyTable(run, "z.show").rows());
        assertEquals("SKIPPED", run.paragraph("Disabled").path("status").asText(), "a disabled paragraph");
        assertEquals("ERROR", run.paragraph("Uses a value nobody defined").path("status").asText());
        assertEquals("NOT_RUN", run.paragraph("After the broken one").path("status").asText());

        AssertionError failure = assertThrows(AssertionError.class, run::assertPassed);
        assertTrue(failure.getMessage().startsWith("broken-compile.zpln: paragraph 6 \"Uses a value nobody defined\""
                + " failed (ERROR):"), failure.getMessage());
        assertTrue(failure.getMessage().contains("error: not found: value undefinedValue"), failure.getMessage());
        assertFalse(Files.readString(run.dir().resolve("stdout.log")).contains("after the broken paragraph"));
    }

    @Test
    void aParagraphThatThrowsOnTheExecutorsFailsTheRunByNumber() throws Exception {
        NoteRun run = run(resource("broken-runtime.zpln"));

        assertEquals(1, run.exitStatus());
        AssertionError failure = assertThrows(AssertionError.class, run::assertPassed);
        assertTrue(failure.getMessage().startsWith("broken-runtime.zpln: paragraph 2 failed (ERROR):"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("java.lang.ArithmeticException: / by zero"), failure.getMessage());
        assertEquals("NOT_RUN", run.paragraph(3).path("status").asText());
    }

    /**
     * Each chart ({@code config.results.<i>.graph}) draws result {@code i} of its paragraph: that
     * result must be a table whose columns at the chart's indexes have the chart's names, with
     * every row as wide as the header (REPL echo after the table would add short rows).
     */
    private static void assertChartsFindTheirColumns(Note note, NoteRun run) {
        for (Note.Paragraph paragraph : note.paragraphs()) {
            for (Map.Entry<Integer, JsonNode> chart : paragraph.charts().entrySet()) {
                String where = note.file().getFileName() + ": " + paragraph.label() + ", chart of result "
                        + chart.getKey() + " (" + chart.getValue().path("mode").asText() + ")";
                List<ResultMessage> messages = ResultMessage.of(run.paragraph(paragraph.number()).path("output").asText());
                assertTrue(chart.getKey() < messages.size(), where + ": the paragraph has " + messages.size() + " results");
                ResultMessage table = messages.get(chart.getKey());
                assertEquals("TABLE", table.type(), where + ": " + table.data());
                List<String> columns = table.columns();
                for (String role : List.of("keys", "values", "groups")) {
                    for (JsonNode column : chart.getValue().path(role)) {
                        int index = column.path("index").asInt();
                        assertTrue(index < columns.size() && columns.get(index).equals(column.path("name").asText()),
                                where + ": " + role + " " + column + " is not a column of " + columns);
                    }
                }
                assertFalse(table.rows().isEmpty(), where + ": no rows");
                for (List<String> row : table.rows()) {
                    assertEquals(columns.size(), row.size(), where + ": row " + row + " against columns " + columns);
                }
            }
        }
    }

    /** The epoch lines of a run's metrics.jsonl (not its iteration or rollback lines), in order. */
    private static List<JsonNode> epochLines(Path runDir) throws IOException {
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            JsonNode metrics = JSON.readTree(line);
            if (!metrics.has("kind")) {
                epochs.add(metrics);
            }
        }
        return epochs;
    }

    /** The one result of a paragraph that only shows a table. */
    private static ResultMessage onlyTable(NoteRun run, String title) {
        List<ResultMessage> messages = ResultMessage.of(run.output(title));
        assertEquals(1, messages.size(), title + ": " + messages);
        assertEquals("TABLE", messages.get(0).type(), title + ": " + messages);
        return messages.get(0);
    }

    /** Each note runs once per test JVM; the tests that look at its products share the run. */
    private static synchronized NoteRun run(Path note) throws IOException, InterruptedException {
        NoteRun done = DONE.get(note);
        if (done == null) {
            String name = note.getFileName().toString().replaceFirst("(_[A-Z0-9]+)?\\.zpln$", "");
            Map<String, String> environment = new HashMap<>(Map.of("DPTRAIN_EPOCHS", String.valueOf(EPOCHS),
                    "DPTRAIN_RETRAIN_EPOCHS", String.valueOf(RETRAIN_EPOCHS)));
            String continued = CONTINUES.get(note.getFileName().toString());
            if (continued != null) {
                environment.put("DPTRAIN_WORK", run(NOTEBOOKS.resolve(continued)).work().toString());
            }
            done = NoteRun.of(note, RUNS.resolve(name), environment);
            DONE.put(note, done);
            System.err.printf("NotebookIT: %s ran in %.1f s (exit status %d)%n", note.getFileName(), done.seconds(),
                    done.exitStatus());
        }
        return done;
    }

    private static Path resource(String name) {
        try {
            return Path.of(NotebookIT.class.getResource("/notebooks/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
