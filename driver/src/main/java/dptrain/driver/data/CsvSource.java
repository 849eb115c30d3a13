package dptrain.driver.data;

import dptrain.driver.config.DataSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * CSV read as text lines and parsed here, so every bad cell is reported with its 1-based file line
 * and column name. Columns are named by the header, or {@code _c0, _c1, ...} without one (Spark's
 * convention). Quoted fields ({@code "a,b"}, {@code ""} for a quote) are supported; records spanning
 * several lines are not. Blank lines are skipped.
 */
final class CsvSource {

    private CsvSource() {
    }

    static SourceData read(SparkSession spark, DataSpec spec, String path, String key, LabelEncoding labels,
                           SourceData train) {
        JavaRDD<String> lines = spark.sparkContext().textFile(path, spark.sparkContext().defaultMinPartitions())
                .toJavaRDD();
        List<String> first = lines.take(1);
        if (first.isEmpty()) {
            throw new DataException(key + ": file is empty: " + path);
        }
        String[] firstFields = split(first.get(0));
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < firstFields.length; i++) {
            columns.add(spec.header() ? firstFields[i].trim() : "_c" + i);
        }
        if (spec.label() == null || spec.label().isBlank()) {
            throw new DataException("data.label: a CSV source needs the label column; columns: " + Cells.list(columns));
        }
        int labelColumn = columnIndex(columns, spec.label(), "data.label", path);
        List<String> featureNames;
        if (train != null) {
            featureNames = train.featureColumns();
        } else if (spec.features().isEmpty()) {
            featureNames = new ArrayList<>(columns);
            featureNames.remove(labelColumn);
        } else {
            featureNames = spec.features();
        }
        if (featureNames.isEmpty()) {
            throw new DataException("data.features: " + path + " has no feature columns besides the label '"
                    + spec.label() + "'");
        }
        int[] featureIndex = new int[featureNames.size()];
        for (int j = 0; j < featureIndex.length; j++) {
            featureIndex[j] = columnIndex(columns, featureNames.get(j), "data.features", path);
            if (featureIndex[j] == labelColumn) {
                throw new DataException("data.features: column '" + featureNames.get(j)
                        + "' is the label column in " + path);
            }
        }
        String[] names = featureNames.toArray(new String[0]);
        String labelName = columns.get(labelColumn);
        int fieldCount = columns.size();
        boolean header = spec.header();
        String headerLine = first.get(0);
        boolean regression = labels instanceof LabelEncoding.Values;
        RowOrigin origin = RowOrigin.lines(path);
        JavaRDD<SourceRow> rows = lines.zipWithIndex().mapPartitions(it -> new Iterator<SourceRow>() {
            private SourceRow next = advance();

            private SourceRow advance() {
                while (it.hasNext()) {
                    Tuple2<String, Long> line = it.next();
                    long index = line._2();
                    // A directory of CSV parts (as Spark writes them) repeats the header in every part.
                    if ((header && (index == 0 || line._1().equals(headerLine))) || line._1().isBlank()) {
                        continue;
                    }
                    return parse(line._1(), index, origin, fieldCount, featureIndex, names, labelColumn,
                            labelName, regression);
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public SourceRow next() {
                SourceRow row = next;
                next = advance();
                return row;
            }
        }, true);
        return new SourceData(rows, origin, names.length, List.copyOf(featureNames), List.copyOf(featureNames), false);
    }

    private static SourceRow parse(String line, long index, RowOrigin origin, int fieldCount, int[] featureIndex,
                                   String[] names, int labelColumn, String labelName, boolean regression) {
        String[] fields = split(line);
        if (fields.length != fieldCount) {
            throw new DataException(origin.at(index) + ": expected " + fieldCount + " fields, found " + fields.length);
        }
        float[] features = new float[featureIndex.length];
        for (int j = 0; j < featureIndex.length; j++) {
            features[j] = Cells.parseFeature(fields[featureIndex[j]], origin, index, names[j]);
        }
        String label = fields[labelColumn].trim();
        if (regression) {
            double value = Cells.checkFinite(Cells.parseNumber(label, origin, index, labelName), origin, index,
                    labelName);
            return new SourceRow(index, features, null, value);
        }
        if (label.isEmpty()) {
            throw new DataException(origin.cell(index, labelName) + ": missing label");
        }
        return new SourceRow(index, features, label, Cells.numberOrNaN(label));
    }

    private static int columnIndex(List<String> columns, String name, String key, String path) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new DataException(key + ": column '" + name + "' not found in " + path + "; columns: "
                    + Cells.list(columns));
        }
        return index;
    }

    /** Splits one CSV record on commas; double quotes group, {@code ""} inside quotes is a quote. */
    static String[] split(String line) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.toArray(new String[0]);
    }
}
