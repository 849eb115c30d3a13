package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import dptrain.driver.cli.BadInputTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dptrain retrain} on the command line, on date-partitioned CSV ({@code date=YYYY-MM-DD/}
 * directories of plain CSV files, as a daily export writes them): the first run promotes v0001 and
 * says so on stdout, a second run on the next day that is not better by the margin is rejected, a
 * bad {@code data.since} is one line with exit 2, and {@code models list} shows what happened.
 */
class RetrainCommandTest {

    private static final Pattern PROMOTED_FIRST = Pattern.compile(
            "dptrain: v0001 promoted: first version of the registry \\(test_accuracy (\\d\\.\\d{4})\\)\n");
    private static final Pattern REJECTED = Pattern.compile("dptrain: v0002 rejected: test_accuracy (\\d\\.\\d{4})"
            + " vs (\\d\\.\\d{4}) of v0001: (better|worse) by \\d\\.\\d{4}, not more than retrain.min_improvement 1\\.0000\n");

    @TempDir
    Path dir;

    @Test
    void retrainPrintsTheDecisionAndModelsListShowsIt() throws IOException {
        SparkTestSession.get();
        Path table = dir.resolve("events");
        day(table, "2026-11-01", 160, 1);
        Path holdout = dir.resolve("holdout.csv");
        Files.writeString(holdout, csv(150, 99));
        Path registry = dir.resolve("models");
        Path spec = dir.resolve("retrain.yaml");
        Files.writeString(spec, """
                data:
                  format: csv
                  train: %s
                  test: %s
                  label: y
                  normalize: standard
                model:
                  layers:
                    - {type: dense, units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training: {workers: 2, batch_size: 32, epochs: 1, seed: 5}
                output: {dir: %s}
                registry: {dir: %s}
                monitoring: {probe_rows: 0}
                """.formatted(table, holdout, dir.resolve("out"), registry));

        Result first = BadInputTest.cli("retrain", spec.toString(), "data.since=2026-11-01");
        day(table, "2026-11-02", 160, 2);
        Result second = BadInputTest.cli("retrain", spec.toString(), "data.since=2026-11-02",
                "retrain.min_improvement=1");
        byte[] pointer = Files.readAllBytes(registry.resolve("current"));
        Result late = BadInputTest.cli("retrain", spec.toString(), "data.since=2026-11-05");
        Result list = BadInputTest.cli("models", "list", "--registry", registry.toString());

        assertEquals(0, first.code(), first.err());
        Matcher promoted = PROMOTED_FIRST.matcher(first.out());
        assertTrue(promoted.matches(), first.out());
        assertEquals(0, second.code(), second.err());
        Matcher rejected = REJECTED.matcher(second.out());
        assertTrue(rejected.matches(), second.out());
        assertEquals(promoted.group(1), rejected.group(2), "v0001 scores on the holdout what it scored when made");
        assertEquals(2, late.code());
        assertTrue(late.err().endsWith("dptrain: error: data.since: no partitions of " + table
                + " from 2026-11-05 on; the newest is date=2026-11-02\n"), late.err());
        assertArrayEquals("v0001\n".getBytes(), pointer);
        assertArrayEquals(pointer, Files.readAllBytes(registry.resolve("current")));
        assertEquals(0, list.code(), list.err());
        String[] lines = list.out().split("\n");
        assertEquals(3, lines.length, list.out());
        assertTrue(lines[1].matches("\\*  v0001 .* test_accuracy  " + Pattern.quote(promoted.group(1))
                + " +- +2026-11-01\\.\\.2026-11-01  promoted"), lines[1]);
        assertTrue(lines[2].matches("   v0002 .* test_accuracy  " + Pattern.quote(rejected.group(1)) + " +"
                + Pattern.quote(rejected.group(2)) + " +2026-11-02\\.\\.2026-11-02  rejected"), lines[2]);
    }

    @Test
    void retrainWithoutASpecIsOneLine() {
        Result result = BadInputTest.cli("retrain");

        assertEquals(new Result(2, "", "dptrain: error: expected 'retrain <spec.yaml> [key=value ...]', got 'retrain'\n"),
                result);
    }

    private static void day(Path table, String date, int rows, long seed) throws IOException {
        Path partition = Files.createDirectories(table.resolve("date=" + date));
        Files.writeString(partition.resolve("part-00000.csv"), csv(rows, seed));
    }

    /** Three classes from a fixed linear rule of three features, with a header line. */
    private static String csv(int rows, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder("f0,f1,f2,y\n");
        for (int r = 0; r < rows; r++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            double c = random.nextGaussian();
            double sum = a - b + 0.5 * c;
            int label = sum < -0.7 ? 0 : sum < 0.7 ? 1 : 2;
            text.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%d%n", 10 + 3 * a, b * 0.01, 100 + 50 * c, label));
        }
        return text.toString();
    }
}
