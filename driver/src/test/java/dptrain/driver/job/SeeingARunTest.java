package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.BuildVersion;
import dptrain.driver.SparkTestSession;
import dptrain.driver.report.HeadlessChromium;
import dptrain.driver.report.ReportHtml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees of a real 2-epoch classification job: the Spark job descriptions the Spark UI
 * lists, and report.html opened in headless Chromium.
 */
class SeeingARunTest {

    @TempDir
    static Path dir;

    private static final String CALLER = "notebook paragraph 7";
    private static final List<String> descriptions = Collections.synchronizedList(new ArrayList<>());
    private static Path output;
    private static JsonNode summary;
    private static String callerAfterRun;

    @BeforeAll
    static void runJob() throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", 300, 21);
        Path test = JobFixtures.classificationCsv(dir, "test.csv", 100, 22);
        output = dir.resolve("out");
        SparkContext spark = SparkTestSession.get().sparkContext();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                descriptions.add(start.properties().getProperty("spark.job.description"));
            }
        };
        spark.addSparkListener(listener);
        // As a notebook paragraph would: the run's own descriptions must not replace it for good.
        spark.setJobDescription(CALLER);
        try {
            TrainJob.run(SparkTestSession.get(), JobFixtures.spec(JobFixtures.classificationSpec(train, test, output),
                    "training.epochs=2"));
            callerAfterRun = spark.getLocalProperty("spark.job.description");
            spark.listenerBus().waitUntilEmpty();
        } finally {
            spark.setJobDescription(null);
            spark.removeSparkListener(listener);
        }
        summary = JobFixtures.summary(output);
    }

    @Test
    void sparkUiNamesEveryEpochValidationAndTheTestEvaluation() {
        List<String> own = descriptions.stream().filter(description -> !CALLER.equals(description)).toList();
        assertEquals(List.of("shard sizes", "epoch 1/2", "validation after epoch 1/2", "epoch 2/2",
                "validation after epoch 2/2", "test evaluation", "validation after epoch 2"), own,
                "all descriptions: " + descriptions);
        // Data preparation sets none: its jobs carry the caller's, which the run gives back.
        assertEquals(CALLER, descriptions.get(0), "all descriptions: " + descriptions);
        assertEquals(CALLER, callerAfterRun);
    }

    @Test
    void reportShowsTheCurvesAndTheTestConfusionMatrixInChromium() throws Exception {
        Path page = output.resolve(ReportHtml.FILE);
        assertTrue(Files.isRegularFile(page), "no " + page);

        String dom = HeadlessChromium.dumpDom(page);
        assertEquals("", HeadlessChromium.text(dom, "errors"), "script errors");
        int charts = Integer.parseInt(HeadlessChromium.attribute(dom, "charts", "data-rendered"));
        assertEquals(count(dom, "<figure class=\"chart\">"), charts);
        List<String> series = HeadlessChromium.paths(dom).stream()
                .filter(path -> path.containsKey("data-series") && !path.get("d").isEmpty())
                .map(path -> path.get("data-series")).toList();
        assertTrue(series.containsAll(List.of("train_loss", "val_loss", "val_accuracy", "lr", "samples_per_second")),
                "curves drawn: " + series);
        assertTrue(charts >= 5, "charts: " + charts);
        // Two epochs: every epoch curve is one line segment between two points.
        HeadlessChromium.paths(dom).stream().filter(path -> "train_loss".equals(path.get("data-series")))
                .forEach(path -> assertTrue(path.get("d").matches("M[0-9.]+ [0-9.]+ L[0-9.]+ [0-9.]+"),
                        "train_loss path " + path));

        // The matrix on the page is summary.json's test_confusion, 3 classes, 100 test rows.
        JsonNode confusion = summary.get("test_confusion");
        List<Long> cells = new ArrayList<>();
        Matcher cell = Pattern.compile("<td class=\"[a-z ]*\" style=\"[^\"]*\">(\\d+)</td>").matcher(
                dom.substring(dom.indexOf("id=\"confusion\"")));
        while (cell.find() && cells.size() < 9) {
            cells.add(Long.parseLong(cell.group(1)));
        }
        List<Long> expected = new ArrayList<>();
        confusion.forEach(row -> row.forEach(value -> expected.add(value.asLong())));
        assertEquals(expected, cells);
        assertEquals(100, cells.stream().mapToLong(Long::longValue).sum());

        // Provenance: seed and workers from the spec, version and the training data path.
        for (Map.Entry<String, String> row : Map.of("seed", "11", "workers", "2",
                "dptrain version", BuildVersion.current(), "training data", dir.resolve("train.csv").toString(),
                "epochs total", "2").entrySet()) {
            assertTrue(dom.contains("<tr><th>" + row.getKey() + "</th><td>" + row.getValue() + "</td></tr>"),
                    "provenance row " + row);
        }

        Path screenshot = HeadlessChromium.screenshot(page, "classification-report");
        assertTrue(Files.size(screenshot) > 10_000, "screenshot too small to show anything: " + screenshot);
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
