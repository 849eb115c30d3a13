package dptrain.driver.notebook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the results Zeppelin makes of a paragraph's output: the output is cut where a line starts
 * with a display type ({@code %table }, {@code %html }, ...); text before the first one is a
 * {@code TEXT} result; blank results are dropped. A paragraph's {@code config.results} chart
 * settings are keyed by the index of the result they draw.
 *
 * @param type {@code TEXT}, {@code TABLE}, {@code HTML}, ...
 * @param data the result's text after the type
 */
record ResultMessage(String type, String data) {

    private static final Pattern TYPE = Pattern.compile("(?m)^%(text|html|table|angular|img|svg|network)[ \\n]");

    static List<ResultMessage> of(String output) {
        List<ResultMessage> messages = new ArrayList<>();
        Matcher marker = TYPE.matcher(output);
        String type = "TEXT";
        int start = 0;
        while (marker.find()) {
            add(messages, type, output.substring(start, marker.start()));
            type = marker.group(1).toUpperCase();
            start = marker.end();
        }
        add(messages, type, output.substring(start));
        return messages;
    }

    private static void add(List<ResultMessage> messages, String type, String data) {
        if (!data.isBlank()) {
            messages.add(new ResultMessage(type, data));
        }
    }

    /** A TABLE result's header: its column names. */
    List<String> columns() {
        return Arrays.asList(lines().get(0).split("\t", -1));
    }

    /** A TABLE result's rows, each its tab-separated cells. */
    List<List<String>> rows() {
        List<String> lines = lines();
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(Arrays.asList(line.split("\t", -1)));
        }
        return rows;
    }

    private List<String> lines() {
        if (!type.equals("TABLE")) {
            throw new IllegalStateException("a " + type + " result, not a table: " + data);
        }
        List<String> lines = new ArrayList<>(data.lines().toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
