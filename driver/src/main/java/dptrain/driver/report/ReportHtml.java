package dptrain.driver.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.TrainingListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code output.dir/report.html}: one self-contained page about a run — per-epoch curves (loss,
 * validation metric, learning rate, gradient norms, each rank's compute time and whatever other
 * numbers {@code metrics.jsonl} holds), a persistently slow rank, the test confusion matrix, the results, the spec and the
 * provenance. Everything is inline (CSS, a small script that draws SVG, the data as JSON), so the
 * page opens from any file system or object store, offline, with nothing to install.
 *
 * <p>It is built only from files a run leaves in {@code output.dir} — {@code metrics.jsonl},
 * {@code summary.json} and the {@code dptrain.json} entry of {@code model.zip} — so
 * {@link #write(OutputDirectory)} regenerates it for any earlier run as well.
 */
public final class ReportHtml {

    public static final String FILE = "report.html";

    private static final String SUMMARY_FILE = "summary.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STYLE = resource("report.css");
    private static final String SCRIPT = resource("report.js");
    /** Summary fields the provenance table shows by name; every other scalar goes to a table too. */
    private static final Set<String> PROVENANCE_KEYS = Set.of("version", "task", "total_seconds", "workers",
            "epochs_total", "epochs_run", "resumed_from_epoch", "iterations", "train_rows", "validation_rows",
            "test_rows", "model");

    private ReportHtml() {
    }

    /**
     * (Re)writes {@code report.html} from what the run left in {@code output}. Missing files leave
     * their sections out: without {@code summary.json} the page says the run is in progress.
     */
    public static void write(OutputDirectory output) {
        ModelFacts facts = output.read(ModelExport.FILE).map(ReportHtml::modelCard).map(ModelFacts::of)
                .orElse(ModelFacts.NONE);
        output.writeText(FILE, render(metricsLines(output), output.readText(SUMMARY_FILE).map(ReportHtml::parse)
                .orElse(null), facts, Instant.now()));
    }

    /**
     * A listener that rewrites the page after every epoch, so a run can be watched while it goes
     * on. It reads back {@code metrics.jsonl}: register it after {@link MetricsLog}.
     *
     * @param specJson the run's spec, shown until {@code model.zip} carries it
     */
    public static TrainingListener afterEachEpoch(OutputDirectory output, String version, String specJson) {
        ModelFacts facts = new ModelFacts(version, parse(specJson), null);
        return new TrainingListener() {
            @Override
            public void onEpochEnd(EpochEnd event) {
                output.writeText(FILE, render(metricsLines(output), null, facts, Instant.now()));
            }
        };
    }

    /**
     * What the page says about the model: while the run goes on the version and the spec, once
     * {@code model.zip} exists its card (spec, label names, when it was written…).
     *
     * @param version the dptrain version, or {@code null}
     * @param spec    the job spec, or {@code null}
     * @param card    {@code model.zip}'s card, or {@code null} before it is written
     */
    private record ModelFacts(String version, JsonNode spec, ModelCard card) {

        static final ModelFacts NONE = new ModelFacts(null, null, null);

        static ModelFacts of(ModelCard card) {
            return new ModelFacts(card.version(), card.spec(), card);
        }
    }

    /**
     * The page.
     *
     * @param metrics the lines of {@code metrics.jsonl}, in order
     * @param summary {@code summary.json}, or {@code null} while the run goes on
     */
    private static String render(List<JsonNode> metrics, JsonNode summary, ModelFacts facts, Instant generated) {
        JsonNode spec = facts.spec();
        String outputDir = text(spec, "output", "dir");
        StringBuilder page = new StringBuilder(32_768);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        if (summary == null) {
            // While training goes on, a browser showing the file picks up each epoch by itself.
            page.append("<meta http-equiv=\"refresh\" content=\"30\">\n");
        }
        page.append("<title>dptrain report").append(outputDir == null ? "" : " — " + escape(outputDir))
                .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<header>\n")
                .append("<h1>dptrain run report</h1>\n<p class=\"where\">")
                .append(outputDir == null ? "" : escape(outputDir)).append("</p>\n<p class=\"status\">")
                .append(escape(status(metrics, summary, spec))).append("</p>\n");
        JsonNode slowRank = lastEpoch(metrics).path("slow_rank");
        if (slowRank.isObject()) {
            page.append("<p id=\"slow-rank\" class=\"slow-rank\">")
                    .append(escape(MetricsLog.slowRank(slowRank).line())).append("</p>\n");
        }
        page.append("</header>\n<main>\n");
        if (summary != null) {
            appendTable(page, "Results", "results", results(summary));
        }
        page.append("<section>\n<h2>Curves</h2>\n")
                .append("<div id=\"charts\" class=\"charts\" data-rendered=\"0\"></div>\n")
                .append("<noscript><p>The curves are drawn by the page's script.</p></noscript>\n</section>\n");
        if (summary != null && summary.path("test_confusion").isArray()) {
            appendConfusion(page, (ArrayNode) summary.get("test_confusion"),
                    facts.card() == null ? null : facts.card().labelNames());
        }
        appendTable(page, "Provenance", "provenance", provenance(summary, facts, generated));
        if (spec != null) {
            page.append("<section>\n<h2>Spec</h2>\n<pre class=\"spec\">").append(escape(spec.toPrettyString()))
                    .append("</pre>\n</section>\n");
        }
        page.append("<pre id=\"errors\" class=\"errors\"></pre>\n</main>\n")
                .append("<script type=\"application/json\" id=\"run-data\">").append(scriptJson(data(metrics, summary)))
                .append("</script>\n<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return page.toString();
    }

    private static String status(List<JsonNode> metrics, JsonNode summary, JsonNode spec) {
        int planned = spec == null ? 0 : spec.path("training").path("epochs").asInt(0);
        int done = 0;
        for (JsonNode line : metrics) {
            if (!line.has("kind")) {
                done = Math.max(done, line.path("epoch").asInt(0));
            }
        }
        if (summary == null) {
            return "in progress: " + done + (planned > 0 ? " of " + planned : "") + " epochs trained";
        }
        String task = summary.path("task").asText("");
        return "finished: " + summary.path("epochs_total").asInt(done) + " epochs"
                + (task.isEmpty() ? "" : ", " + task);
    }

    /** The last epoch line of {@code metrics.jsonl}, or a missing node; the slow rank is named as of it. */
    private static JsonNode lastEpoch(List<JsonNode> metrics) {
        JsonNode last = JSON.missingNode();
        for (JsonNode line : metrics) {
            if (!line.has("kind")) {
                last = line;
            }
        }
        return last;
    }

    /** Test, validation and early-stopping outcomes, in summary order. */
    private static Map<String, String> results(JsonNode summary) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = summary.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (field.getValue().isValueNode() && !PROVENANCE_KEYS.contains(key)) {
                rows.put(key, format(field.getValue()));
            }
        }
        return rows;
    }

    private static Map<String, String> provenance(JsonNode summary, ModelFacts facts, Instant generated) {
        JsonNode spec = facts.spec();
        ModelCard card = facts.card();
        Map<String, String> rows = new LinkedHashMap<>();
        put(rows, "dptrain version", facts.version());
        if (summary != null) {
            put(rows, "task", summary.get("task"));
        } else if (card != null && card.task() != null) {
            put(rows, "task", card.task().name().toLowerCase(Locale.ROOT));
        }
        if (card != null && card.createdAt() != null) {
            put(rows, "model written at", card.createdAt().toString());
        }
        rows.put("report generated at", generated.toString());
        put(rows, "total seconds (this run)", summary == null ? null : summary.get("total_seconds"));
        put(rows, "seed", spec == null ? null : spec.path("training").get("seed"));
        put(rows, "workers", spec == null ? null : spec.path("training").get("workers"));
        put(rows, "epochs (spec)", spec == null ? null : spec.path("training").get("epochs"));
        if (summary != null) {
            for (String key : List.of("epochs_total", "epochs_run", "resumed_from_epoch", "iterations",
                    "train_rows", "validation_rows", "test_rows")) {
                put(rows, key.replace('_', ' '), summary.get(key));
            }
        }
        if (spec != null) {
            put(rows, "data format", spec.path("data").get("format"));
            put(rows, "training data", spec.path("data").get("train"));
            put(rows, "test data", spec.path("data").get("test"));
            put(rows, "output dir", spec.path("output").get("dir"));
            put(rows, "checkpoint dir", spec.path("checkpoint").get("dir"));
        }
        put(rows, "model", summary == null ? null : summary.get("model"));
        return rows;
    }

    private static void put(Map<String, String> rows, String name, String value) {
        if (value != null) {
            rows.put(name, value);
        }
    }

    private static void put(Map<String, String> rows, String name, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            rows.put(name, format(value));
        }
    }

    private static void appendTable(StringBuilder page, String title, String id, Map<String, String> rows) {
        if (rows.isEmpty()) {
            return;
        }
        page.append("<section>\n<h2>").append(title).append("</h2>\n<table id=\"").append(id)
                .append("\" class=\"facts\">\n");
        rows.forEach((name, value) -> page.append("<tr><th>").append(escape(name)).append("</th><td>")
                .append(escape(value)).append("</td></tr>\n"));
        page.append("</table>\n</section>\n");
    }

    /** Rows are the true classes, columns the predictions; shading by share of the row. */
    private static void appendConfusion(StringBuilder page, ArrayNode matrix, List<String> labelNames) {
        int classes = matrix.size();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(labelNames != null && labelNames.size() == classes ? labelNames.get(c) : String.valueOf(c));
        }
        page.append("<section>\n<h2>Test confusion matrix</h2>\n<table id=\"confusion\" class=\"confusion\">\n")
                .append("<tr><th class=\"corner\">true \\ predicted</th>");
        names.forEach(name -> page.append("<th>").append(escape(name)).append("</th>"));
        page.append("<th>rows</th><th>recall</th></tr>\n");
        for (int actual = 0; actual < classes; actual++) {
            JsonNode row = matrix.get(actual);
            long total = 0;
            for (JsonNode cell : row) {
                total += cell.asLong();
            }
            page.append("<tr><th>").append(escape(names.get(actual))).append("</th>");
            for (int predicted = 0; predicted < row.size(); predicted++) {
                long count = row.get(predicted).asLong();
                double share = total == 0 ? 0 : (double) count / total;
                page.append(String.format(Locale.ROOT,
                        "<td class=\"%s\" style=\"background: rgba(37, 99, 235, %.3f)\">%d</td>",
                        predicted == actual ? "diagonal" + (share > 0.5 ? " dark" : "") : share > 0.5 ? "dark" : "",
                        share, count));
            }
            page.append("<td class=\"total\">").append(total).append("</td><td class=\"total\">")
                    .append(total == 0 ? "–" : String.format(Locale.ROOT, "%.3f",
                            row.get(actual).asLong() / (double) total))
                    .append("</td></tr>\n");
        }
        page.append("</table>\n</section>\n");
    }

    /** What the script draws: epoch lines, probe-iteration lines, rollbacks, the best epoch. */
    private static ObjectNode data(List<JsonNode> metrics, JsonNode summary) {
        ObjectNode data = JSON.createObjectNode();
        ArrayNode epochs = data.putArray("epochs");
        ArrayNode iterations = data.putArray("iterations");
        ArrayNode rollbacks = data.putArray("rollbacks");
        for (JsonNode line : metrics) {
            switch (line.path("kind").asText("epoch")) {
                case "epoch" -> epochs.add(line);
                case "iteration" -> iterations.add(line);
                case "rollback" -> rollbacks.add(line);
                default -> {
                    // a kind of line this version does not know how to draw
                }
            }
        }
        if (summary != null && summary.path("best_epoch").isNumber()) {
            data.put("bestEpoch", summary.get("best_epoch").asInt());
        }
        return data;
    }

    private static List<JsonNode> metricsLines(OutputDirectory output) {
        List<JsonNode> lines = new ArrayList<>();
        output.readText(MetricsLog.FILE).ifPresent(text -> text.lines()
                .filter(line -> !line.isBlank())
                .forEach(line -> lines.add(parse(line))));
        return lines;
    }

    private static ModelCard modelCard(byte[] zip) {
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                if (entry.getName().equals(ModelExport.METADATA_ENTRY)) {
                    return ModelCard.fromJson(new String(entries.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ModelExport.FILE + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode node, String... path) {
        JsonNode value = node;
        for (String key : path) {
            value = value == null ? null : value.get(key);
        }
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String format(JsonNode value) {
        if (value.isFloatingPointNumber()) {
            double number = value.asDouble();
            return number != 0 && (Math.abs(number) < 1e-3 || Math.abs(number) >= 1e6)
                    ? String.format(Locale.ROOT, "%.4g", number)
                    : String.format(Locale.ROOT, "%.6f", number).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return value.isNull() ? "–" : value.asText();
    }

    /**
     * JSON inside a script element: {@code <}, {@code >} and {@code &} occur only in strings
     * there, where the {@code \}{@code u} escapes mean the same, and a path such as
     * {@code </script>} in the spec can no longer end the element.
     */
    private static String scriptJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node).replace("<", "\\u003c").replace(">", "\\u003e")
                    .replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ReportHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + ReportHtml.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
