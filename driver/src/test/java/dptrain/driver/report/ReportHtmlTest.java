package dptrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html from an output directory, opened in headless Chromium: every field that
 * metrics.jsonl carries becomes a curve, missing values leave gaps, and text from the run cannot
 * break out of the page.
 */
class ReportHtmlTest {

    /** A regression run of 3 epochs with the monitoring fields, a rollback and a missing value. */
    private static final String METRICS = """
            {"kind":"iteration","epoch":1,"iteration":10,"loss":1.9,"lr":0.01}
            {"kind":"iteration","epoch":1,"iteration":20,"loss":1.2,"lr":0.01}
            {"epoch":1,"iteration":25,"train_loss":1.5,"val_loss":1.1,"val_mse":1.1,"val_mae":0.8,"val_r2":0.4,\
            "lr":0.01,"epoch_seconds":2.0,"samples_per_second":400,"allreduce_share":0.2,"allreduce_wait_share":0.1,"attempts":1,\
            "grad_norm_mean":3.0,"grad_norm_max":9.0,"update_ratio":{"0":0.001,"1":0.002}}
            {"kind":"rollback","epoch":2,"iteration":30,"reason":"loss NaN </script><script>document.title='pwned'\
            </script>","rollback":1,"lr_scale":0.5}
            {"epoch":2,"iteration":50,"train_loss":0.9,"val_loss":null,"val_mse":null,"val_mae":0.5,"val_r2":0.7,\
            "lr":0.005,"epoch_seconds":2.2,"samples_per_second":380,"allreduce_share":0.25,"allreduce_wait_share":0.15,"attempts":2,\
            "grad_norm_mean":2.0,"grad_norm_max":5.0,"update_ratio":{"0":0.0008,"1":0.001}}
            {"epoch":3,"iteration":75,"train_loss":0.5,"val_loss":0.3,"val_mse":0.3,"val_mae":0.4,"val_r2":0.9,\
            "lr":0.005,"epoch_seconds":1.9,"samples_per_second":410,"allreduce_share":0.21,"allreduce_wait_share":0.11,"attempts":1,\
            "grad_norm_mean":1.0,"grad_norm_max":2.5,"update_ratio":{"0":0.0005,"1":0.0007}}
            """;

    private static final String SUMMARY = """
            {"test_loss":0.31,"test_mse":0.31,"test_mae":0.41,"test_r2":0.9,"val_loss":0.3,"val_r2":0.9,
             "best_epoch":3,"stopped_early":false,"epochs_run":3,"epochs_total":3,"resumed_from_epoch":0,
             "iterations":75,"total_seconds":12.5,"train_rows":800,"validation_rows":80,"test_rows":200,
             "workers":2,"task":"regression","model":"file:/runs/r1/model.zip","version":"0.1.0"}
            """;

    private static final String SPEC = """
            {"data":{"format":"csv","train":"/data/</script><b>train</b>.csv","test":"/data/test.csv"},
             "training":{"workers":2,"epochs":3,"seed":5},"output":{"dir":"/runs/r1"},
             "checkpoint":{"dir":"/runs/r1/checkpoints"}}
            """;

    @TempDir
    Path dir;

    @Test
    void everyCurveOfARegressionRunIsDrawnInChromium() throws Exception {
        writeRun(dir, METRICS, SUMMARY);

        ReportHtml.write(new OutputDirectory(dir.toString(), new Configuration()));

        Path page = dir.resolve(ReportHtml.FILE);
        String dom = HeadlessChromium.dumpDom(page);
        assertEquals("", HeadlessChromium.text(dom, "errors"), "script errors");
        // loss, r2, mse+mae, lr, gradient norm, throughput, epoch time, all-reduce share,
        // probe-iteration loss, update ratio by layer
        assertEquals("10", HeadlessChromium.attribute(dom, "charts", "data-rendered"));
        List<Map<String, String>> paths = HeadlessChromium.paths(dom);
        assertEquals(List.of("train_loss", "val_loss", "val_r2", "val_mse", "val_mae", "lr", "grad_norm_mean",
                        "grad_norm_max", "samples_per_second", "epoch_seconds", "allreduce_share", "allreduce_wait_share",
                        "loss", "layer 0", "layer 1"),
                paths.stream().map(path -> path.get("data-series")).toList());
        for (Map<String, String> path : paths) {
            assertTrue(path.get("d").matches("M[0-9.]+ [0-9.]+( [ML][0-9.]+ [0-9.]+)*"), "path " + path);
        }
        // Three epochs joined by lines; val_loss has a gap at epoch 2 (null in metrics.jsonl).
        assertEquals(2, count(paths.get(0).get("d"), "L"));
        assertEquals(0, count(paths.get(1).get("d"), "L"));
        assertEquals(2, count(paths.get(1).get("d"), "M"));
        // The best epoch and the rollback are marked on the epoch charts.
        assertTrue(dom.contains(">best</text>") && dom.contains(">rollback</text>"), "markers missing");

        // Text from the run stays text: the rollback reason inside the script's JSON and the
        // data path in the tables did not end an element or run a script.
        assertTrue(dom.contains("<title>dptrain report — /runs/r1</title>"), "title changed");
        assertFalse(dom.contains("<b>train</b>"), "spec text was parsed as HTML");
        assertTrue(dom.contains("/data/&lt;/script&gt;&lt;b&gt;train&lt;/b&gt;.csv"), "data path not shown");

        assertTrue(dom.contains("<tr><th>test_r2</th><td>0.9</td></tr>"), "results table");
        assertTrue(dom.contains("<tr><th>best_epoch</th><td>3</td></tr>"), "early stopping result");
        assertTrue(dom.contains("<tr><th>seed</th><td>5</td></tr>"), "provenance: seed");
        assertTrue(dom.contains("<tr><th>resumed from epoch</th><td>0</td></tr>"), "provenance: resume");
        assertTrue(dom.contains("<tr><th>dptrain version</th><td>0.1.0</td></tr>"), "provenance: version");
        assertFalse(dom.contains("id=\"confusion\""), "a regression run has no confusion matrix");
        assertFalse(dom.contains("http-equiv=\"refresh\""), "a finished run's page must not reload itself");
        assertNoExternalResources(Files.readString(page));

        HeadlessChromium.screenshot(page, "regression-report");
    }

    @Test
    void duringTheRunThePageIsRewrittenAfterEveryEpochAndReloadsItself() throws Exception {
        String twoEpochs = METRICS.lines().filter(line -> !line.startsWith("{\"epoch\":3"))
                .reduce("", (text, line) -> text + line + "\n");
        writeMetrics(dir, twoEpochs);
        OutputDirectory output = new OutputDirectory(dir.toString(), new Configuration());

        // The listener ignores the event itself: it reads what MetricsLog wrote.
        ReportHtml.afterEachEpoch(output, "0.1.0", SPEC).onEpochEnd(null);

        String dom = HeadlessChromium.dumpDom(dir.resolve(ReportHtml.FILE));
        assertEquals("", HeadlessChromium.text(dom, "errors"), "script errors");
        assertTrue(dom.contains("in progress: 2 of 3 epochs trained"), "status line");
        assertTrue(dom.contains("http-equiv=\"refresh\""), "a running job's page reloads itself");
        assertEquals("10", HeadlessChromium.attribute(dom, "charts", "data-rendered"));
        assertFalse(dom.contains("id=\"results\""), "no results before the run ends");
    }

    @Test
    void aSlowRankIsNamedUnderTheStatusAndEachRanksTimesAreDrawn() throws Exception {
        String ranks = "\"ranks\":[{\"rank\":0,\"executor\":\"1\",\"host\":\"10.0.0.1\",\"compute_seconds\":1.0,"
                + "\"allreduce_seconds\":0.9,\"allreduce_wait_seconds\":0.8},{\"rank\":1,\"executor\":\"2\","
                + "\"host\":\"10.0.0.2\",\"compute_seconds\":1.9,\"allreduce_seconds\":0.1,\"allreduce_wait_seconds\":0.0}]";
        writeMetrics(dir, "{\"epoch\":1,\"train_loss\":1.0," + ranks + "}\n"
                + "{\"epoch\":2,\"train_loss\":0.8," + ranks + ",\"slow_rank\":{\"rank\":1,\"executor\":\"2\","
                + "\"host\":\"10.0.0.2\",\"compute_ratio\":1.9,\"slow_epochs\":2,\"window\":2}}\n");

        ReportHtml.afterEachEpoch(new OutputDirectory(dir.toString(), new Configuration()), "0.1.0", SPEC)
                .onEpochEnd(null);

        String dom = HeadlessChromium.dumpDom(dir.resolve(ReportHtml.FILE));
        assertEquals("", HeadlessChromium.text(dom, "errors"), "script errors");
        assertEquals("slow rank: 1 (executor 2 on 10.0.0.2) computes 1.9x the others' median in 2 of the last 2 epochs",
                HeadlessChromium.text(dom, "slow-rank"));
        // the loss, and compute time and all-reduce wait with a curve per rank
        assertEquals("3", HeadlessChromium.attribute(dom, "charts", "data-rendered"));
        assertEquals(List.of("train_loss", "rank 0", "rank 1", "rank 0", "rank 1"), HeadlessChromium.paths(dom).stream()
                .filter(path -> path.containsKey("data-series")).map(path -> path.get("data-series")).toList());
    }

    @Test
    void aRunWithoutASlowRankNamesNone() throws Exception {
        writeRun(dir, METRICS, SUMMARY);
        ReportHtml.write(new OutputDirectory(dir.toString(), new Configuration()));

        assertFalse(Files.readString(dir.resolve(ReportHtml.FILE)).contains("slow rank"));
    }

    @Test
    void anEmptyRunSaysSoInsteadOfDrawingNothing() throws Exception {
        OutputDirectory output = new OutputDirectory(dir.toString(), new Configuration());
        ReportHtml.write(output);

        String dom = HeadlessChromium.dumpDom(dir.resolve(ReportHtml.FILE));
        assertEquals("", HeadlessChromium.text(dom, "errors"), "script errors");
        assertEquals("0", HeadlessChromium.attribute(dom, "charts", "data-rendered"));
        assertTrue(dom.contains("No epoch has finished yet."), dom);
    }

    static void assertNoExternalResources(String html) {
        // The only URL in the page is the SVG namespace name, which is never fetched.
        String withoutNamespace = html.replace("'http://www.w3.org/2000/svg'", "");
        assertFalse(Pattern.compile("(?i)(https?:|//cdn|\\bsrc=|<link\\b|@import)").matcher(withoutNamespace).find(),
                "the report must be self-contained");
    }

    private static void writeRun(Path dir, String metrics, String summary) throws IOException {
        writeMetrics(dir, metrics);
        Files.writeString(dir.resolve("summary.json"), summary);
        String metadata = "{\"format\":1,\"version\":\"0.1.0\",\"created_at\":\"2026-11-23T10:00:00Z\","
                + "\"task\":\"regression\",\"seed\":5,\"label_names\":[],\"spec\":" + SPEC + "}";
        try (OutputStream file = Files.newOutputStream(dir.resolve(ModelExport.FILE));
             ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry(ModelExport.METADATA_ENTRY));
            zip.write(metadata.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    private static void writeMetrics(Path dir, String metrics) throws IOException {
        Files.writeString(dir.resolve(MetricsLog.FILE), metrics);
    }

    private static int count(String text, String letter) {
        return text.length() - text.replace(letter, "").length();
    }
}
