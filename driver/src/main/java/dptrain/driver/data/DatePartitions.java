package dptrain.driver.data;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Hive-style date partitions ({@code <root>/date=2026-11-23/part-*.parquet}, as Spark's
 * {@code partitionBy("date")} writes them, CSV or Parquet). The partition directories are listed
 * and only those from {@code data.since} on are read: the same pruning Spark does for a filter on a
 * partition column, done before reading so that it works for CSV (read as text lines, to name file
 * lines in errors) and Parquet alike, and so that the partition column never becomes a feature.
 *
 * @param paths the partition directories to read, oldest first
 * @param range what was selected, recorded with the model
 */
record DatePartitions(List<String> paths, DataRange range) {

    private record Partition(LocalDate date, String path) {
    }

    /**
     * The partitions of {@code root} from {@code since} on; empty when {@code root} has no
     * {@code <column>=} directories (plain data) and no {@code since} is asked for.
     *
     * @throws DataException naming {@code key} when {@code since} is given but nothing matches, or a
     *                       partition value is not a date
     */
    static Optional<DatePartitions> find(Configuration hadoop, String root, String column, String since, String key) {
        List<Partition> found = new ArrayList<>();
        try {
            Path path = new Path(root);
            FileSystem fs = path.getFileSystem(hadoop);
            if (fs.exists(path) && fs.getFileStatus(path).isDirectory()) {
                for (FileStatus child : fs.listStatus(path)) {
                    String name = child.getPath().getName();
                    if (child.isDirectory() && name.startsWith(column + "=")) {
                        found.add(new Partition(date(name.substring(column.length() + 1), name, root, key),
                                child.getPath().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new DataException(key + ": cannot list the partitions of " + root + ": "
                    + DataFiles.firstLine(e.getMessage()), e);
        }
        if (found.isEmpty()) {
            if (since != null) {
                throw new DataException("data.since: " + root + " has no " + column
                        + "=YYYY-MM-DD partition directories to filter (data.partition_column: " + column + ")");
            }
            return Optional.empty();
        }
        found.sort(Comparator.comparing(Partition::date));
        LocalDate from = since == null ? LocalDate.MIN : LocalDate.parse(since);
        List<Partition> selected = found.stream().filter(p -> !p.date().isBefore(from)).toList();
        if (selected.isEmpty()) {
            throw new DataException("data.since: no partitions of " + root + " from " + since + " on; the newest is "
                    + column + "=" + found.get(found.size() - 1).date());
        }
        DataRange range = new DataRange(column, since, selected.get(0).date().toString(),
                selected.get(selected.size() - 1).date().toString(), selected.size());
        return Optional.of(new DatePartitions(selected.stream().map(Partition::path).toList(), range));
    }

    /** The directories as one Hadoop input path list (comma separated, as {@code FileInputFormat} reads it). */
    String joined() {
        return String.join(",", paths);
    }

    /** A path list from {@link #joined()} (or a single path) for Spark's DataFrame readers. */
    static String[] split(String paths) {
        return paths.split(",");
    }

    private static LocalDate date(String value, String name, String root, String key) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new DataException(key + ": partition directory '" + name + "' in " + root
                    + " is not a date; expected " + name.substring(0, name.indexOf('=') + 1) + "YYYY-MM-DD");
        }
    }
}
