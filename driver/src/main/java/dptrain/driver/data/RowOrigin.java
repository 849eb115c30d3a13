package dptrain.driver.data;

import java.io.Serializable;

/**
 * Where rows come from, to name them in error messages: {@code /x/train.csv line 17} (CSV lines are
 * 1-based file lines, header included) or {@code /x/data.parquet row 5} (1-based row number).
 *
 * @param path      the features file
 * @param labelPath the labels file (differs from {@code path} only for IDX)
 * @param unit      "line" or "row"
 * @param base      added to the 0-based index to get the displayed number
 */
record RowOrigin(String path, String labelPath, String unit, long base) implements Serializable {

    static RowOrigin lines(String path) {
        return new RowOrigin(path, path, "line", 1);
    }

    static RowOrigin rows(String path) {
        return new RowOrigin(path, path, "row", 1);
    }

    String at(long index) {
        return path + " " + unit + " " + (index + base);
    }

    String labelAt(long index) {
        return labelPath + " " + unit + " " + (index + base);
    }

    String cell(long index, String column) {
        return at(index) + ", column '" + column + "'";
    }
}
