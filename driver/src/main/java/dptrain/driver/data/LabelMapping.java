package dptrain.driver.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a source label becomes the float stored in a block: a class name's index in sorted order,
 * an integer class index as is, or a regression value as is. Decided on the driver from the
 * training data's labels; applied on the executors to train, validation and test rows alike.
 */
final class LabelMapping implements Serializable {

    private static final long serialVersionUID = 1L;

    private enum Kind { NAMES, INDICES, VALUES }

    private final Kind kind;
    private final int classes;
    private final List<String> names;
    private final Map<String, Integer> indexByName;

    private LabelMapping(Kind kind, int classes, List<String> names) {
        this.kind = kind;
        this.classes = classes;
        this.names = List.copyOf(names);
        this.indexByName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            indexByName.put(names.get(i), i);
        }
    }

    /** Class names by index (integer labels in decimal form); empty for regression. */
    List<String> labelNames() {
        return names;
    }

    int classes() {
        return classes;
    }

    /** Checks the training labels against the output layer and fixes the mapping. */
    static LabelMapping resolve(PartitionSummary labels, LabelEncoding encoding, RowOrigin origin) {
        if (encoding instanceof LabelEncoding.Values values) {
            if (values.width() != 1) {
                throw new DataException("data.label: output layer has " + values.width()
                        + " units but " + origin.labelPath() + " has one label column");
            }
            return new LabelMapping(Kind.VALUES, 0, List.of());
        }
        int classes = ((LabelEncoding.ClassIndices) encoding).classes();
        String path = origin.labelPath();
        if (labels.anyNonNumericLabel) {
            List<String> found = new ArrayList<>(labels.names);
            if (found.size() == 1) {
                throw new DataException("data.label: only one class ('" + found.get(0) + "') in " + path
                        + "; classification needs at least 2");
            }
            if (labels.namesOverflow || found.size() != classes) {
                throw new DataException("data.label: output layer has " + classes + " units but " + path + " has "
                        + (labels.namesOverflow ? "more than " + found.size() : found.size()) + " classes ("
                        + Cells.list(found) + ")");
            }
            return new LabelMapping(Kind.NAMES, classes, found);
        }
        if (labels.firstInvalidIndex >= 0) {
            throw invalidIndex(labels.firstInvalidValue, labels.firstInvalidIndex, origin, classes);
        }
        int distinct = 0;
        int largest = -1;
        for (int k = 0; k < labels.seen.length; k++) {
            if (labels.seen[k]) {
                distinct++;
                largest = k;
            }
        }
        if (distinct == 1) {
            throw new DataException("data.label: only one class ('" + largest + "') in " + path
                    + "; classification needs at least 2");
        }
        if (largest + 1 != classes) {
            throw new DataException("data.label: output layer has " + classes + " units but the largest label in "
                    + path + " is " + largest + " (" + (largest + 1) + " classes 0.." + largest + ")");
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add(Integer.toString(k));
        }
        return new LabelMapping(Kind.INDICES, classes, names);
    }

    private static DataException invalidIndex(double value, long index, RowOrigin origin, int classes) {
        String label = Cells.formatNumber(value);
        if (value == Math.rint(value)) {
            return new DataException("label " + label + " at " + origin.labelAt(index) + " is out of range 0.."
                    + (classes - 1) + " (output layer has " + classes + " units)");
        }
        return new DataException("label " + label + " at " + origin.labelAt(index)
                + " is not an integer class index; classification labels are integers 0.." + (classes - 1)
                + " or class names");
    }

    /** The stored label of one row of any split or the test set; a one-line error if it has no class. */
    float map(SourceRow row, RowOrigin origin) {
        switch (kind) {
            case VALUES:
                return Cells.checkFinite(row.labelValue(), origin, row.index(), "label");
            case INDICES:
                if (!row.labelIsNumeric()) {
                    throw new DataException("label '" + row.labelText() + "' at " + origin.labelAt(row.index())
                            + " is not one of the training classes (0.." + (classes - 1) + ")");
                }
                double value = row.labelValue();
                if (value != Math.rint(value) || value < 0 || value >= classes) {
                    throw invalidIndex(value, row.index(), origin, classes);
                }
                return (float) value;
            case NAMES:
                String text = row.labelText() != null ? row.labelText() : Cells.formatNumber(row.labelValue());
                Integer index = indexByName.get(text);
                if (index == null) {
                    throw new DataException("label '" + text + "' at " + origin.labelAt(row.index())
                            + " is not one of the training classes (" + Cells.list(names) + ")");
                }
                return index;
            default:
                throw new IllegalStateException(kind.toString());
        }
    }
}
