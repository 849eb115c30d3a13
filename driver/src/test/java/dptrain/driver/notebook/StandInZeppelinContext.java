package dptrain.driver.notebook;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The notebook runner's {@code z}: the part of Zeppelin's {@code ZeppelinContext} the notes use.
 * {@code z.show(df)} prints the {@code %table} text Zeppelin's Spark interpreter sends to the
 * browser (a header line and one line per row, tab-separated, at most {@code maxResult} rows),
 * which Zeppelin turns into its table and charts; the runner keeps it as the paragraph's output so
 * the tests can read the table back. Anything else {@code show} is given fails, as it does in
 * Zeppelin, so a note cannot pass here with a call Zeppelin would refuse.
 */
public final class StandInZeppelinContext {

    /** Zeppelin's default {@code zeppelin.spark.maxResult}. */
    public static final int DEFAULT_MAX_RESULT = 1000;

    private final PrintStream out;
    private final int maxResult;

    public StandInZeppelinContext(PrintStream out, int maxResult) {
        this.out = out;
        this.maxResult = maxResult;
    }

    public void show(Object data) {
        show(data, maxResult);
    }

    public void show(Object data, int maxRows) {
        if (!(data instanceof Dataset<?> dataset)) {
            throw new IllegalArgumentException("z.show: cannot show a "
                    + (data == null ? "null" : data.getClass().getName()) + "; give it a DataFrame or Dataset");
        }
        Dataset<Row> frame = dataset.toDF();
        List<Row> rows = frame.limit(maxRows + 1).collectAsList();
        StringBuilder table = new StringBuilder("%table ").append(String.join("\t", frame.columns())).append('\n');
        for (Row row : rows.subList(0, Math.min(rows.size(), maxRows))) {
            for (int i = 0; i < row.size(); i++) {
                table.append(i == 0 ? "" : "\t").append(cell(row.get(i)));
            }
            table.append('\n');
        }
        if (rows.size() > maxRows) {
            table.append("\n%html <font color=red>Output is truncated to ").append(maxRows)
                    .append(" rows (zeppelin.spark.maxResult)</font>\n");
        }
        out.print(table);
        out.flush();
    }

    /** A cell as Zeppelin writes it: tabs and line breaks would break the table, so they become spaces. */
    private static String cell(Object value) {
        return value == null ? "null" : value.toString().replace('\t', ' ').replace('\n', ' ');
    }
}
