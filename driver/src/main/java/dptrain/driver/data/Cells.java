package dptrain.driver.data;

/** Parsing of text cells and formatting of values for messages. */
final class Cells {

    private Cells() {
    }

    /** A finite float from a text cell, or a one-line error naming the cell. */
    static float parseFeature(String cell, RowOrigin origin, long index, String column) {
        return checkFinite(parseNumber(cell, origin, index, column), origin, index, column);
    }

    static double parseNumber(String cell, RowOrigin origin, long index, String column) {
        String text = cell.trim();
        if (text.isEmpty()) {
            throw new DataException(origin.cell(index, column) + ": missing value");
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DataException(origin.cell(index, column) + ": not a number: \"" + text + "\"");
        }
    }

    /** Converts to float32; values outside its range become infinite and are refused like NaN. */
    static float checkFinite(double value, RowOrigin origin, long index, String column) {
        float f = (float) value;
        if (!Float.isFinite(f)) {
            throw new DataException(origin.cell(index, column) + (Double.isFinite(value)
                    ? ": outside the float32 range: " : ": NaN/Infinity not allowed: ") + value);
        }
        return f;
    }

    /** The finite value of a text cell, or NaN when it is not a finite number. */
    static double numberOrNaN(String text) {
        try {
            double v = Double.parseDouble(text);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@code 12} for integral values, {@code 2.5} otherwise. */
    static String formatNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Up to 20 names joined with ", ", then "... (N in all)". */
    static String list(java.util.Collection<String> names) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (String name : names) {
            if (shown == 20) {
                return out.append(", ... (").append(names.size()).append(" in all)").toString();
            }
            if (shown++ > 0) {
                out.append(", ");
            }
            out.append(name);
        }
        return out.toString();
    }
}
