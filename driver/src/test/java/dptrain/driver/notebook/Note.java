package dptrain.driver.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Zeppelin note as the notebook runner needs it: its paragraphs in order, each with its
 * interpreter, code and chart settings. Read from the JSON Zeppelin 0.9 to 0.11 writes
 * ({@code .zpln}): {@code paragraphs[].text} starts with the interpreter ({@code %spark},
 * {@code %md}); a paragraph without one uses the note's {@code defaultInterpreterGroup}.
 *
 * @param file the {@code .zpln} file
 * @param name the note's name as Zeppelin shows it
 * @param paragraphs every paragraph with text, in the note's order
 */
record Note(Path file, String name, List<Paragraph> paragraphs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One paragraph.
     *
     * @param number 1-based position among the note's paragraphs, as Zeppelin counts them
     * @param title the paragraph's title, empty when it has none
     * @param interpreter {@code spark}, {@code md}, {@code spark.sql}, ... (without the {@code %})
     * @param code the text after the interpreter line
     * @param enabled false when the paragraph is disabled, which "run all" skips
     * @param charts {@code config.results}: result index to its {@code graph} settings
     */
    record Paragraph(int number, String title, String interpreter, String code, boolean enabled,
                     Map<Integer, JsonNode> charts) {

        /** How failure messages name it: {@code paragraph 3 "Train"}. */
        String label() {
            return "paragraph " + number + (title.isEmpty() ? "" : " \"" + title + "\"");
        }

        /** Code of Zeppelin's Spark interpreter in Scala ({@code %spark}, Zeppelin's default). */
        boolean isScala() {
            return interpreter.equals("spark") || interpreter.equals("spark.spark");
        }

        boolean isMarkdown() {
            return interpreter.equals("md") || interpreter.equals("markdown");
        }
    }

    static Note read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not a Zeppelin note (JSON): " + e.getMessage(), e);
        }
        if (!root.path("paragraphs").isArray()) {
            throw new IllegalArgumentException(file + ": not a Zeppelin note: no \"paragraphs\" array");
        }
        String defaultInterpreter = root.path("defaultInterpreterGroup").asText("spark");
        List<Paragraph> paragraphs = new ArrayList<>();
        int number = 0;
        for (JsonNode paragraph : root.path("paragraphs")) {
            number++;
            String text = paragraph.path("text").asText("");
            if (text.isBlank()) {
                continue; // Zeppelin keeps an empty paragraph at the end of every note
            }
            String interpreter = defaultInterpreter;
            String code = text;
            String trimmed = text.stripLeading();
            if (trimmed.startsWith("%")) {
                int end = 1;
                while (end < trimmed.length() && !Character.isWhitespace(trimmed.charAt(end))
                        && trimmed.charAt(end) != '(') {
                    end++;
                }
                interpreter = trimmed.substring(1, end);
                String rest = trimmed.substring(end);
                // local properties, %spark(pool=fast), are Zeppelin's, not code
                code = rest.startsWith("(") ? rest.substring(rest.indexOf(')') + 1) : rest;
            }
            JsonNode config = paragraph.path("config");
            paragraphs.add(new Paragraph(number, paragraph.path("title").asText(""), interpreter, code,
                    config.path("enabled").asBoolean(true), charts(config.path("results"))));
        }
        return new Note(file, root.path("name").asText(file.getFileName().toString()), List.copyOf(paragraphs));
    }

    /** {@code config.results} is an object keyed by result index (0.9+) or an array (0.8). */
    private static Map<Integer, JsonNode> charts(JsonNode results) {
        Map<Integer, JsonNode> charts = new TreeMap<>();
        if (results.isArray()) {
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).has("graph")) {
                    charts.put(i, results.get(i).get("graph"));
                }
            }
        } else if (results.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = results.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getValue().has("graph")) {
                    charts.put(Integer.parseInt(entry.getKey()), entry.getValue().get("graph"));
                }
            }
        }
        return charts;
    }
}
