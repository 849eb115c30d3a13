package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

        CommandLineProcessTest.Exit exit = CommandLineProcessTest.dptrain(dir,
                List.of("-Dspark.driver.maxResultSize=100k"), "train", spec.toString());

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
}
