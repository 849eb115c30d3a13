package dptrain.driver.data;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * What one pass over a partition learns: train/validation row counts (the prefix sums give every
 * training row its position in train order), per-feature moments of the training rows, and the labels
 * seen (all rows). Partitions are summarised on the executors and merged on the driver, so the whole
 * preparation reads the parsed rows once for statistics.
 */
final class PartitionSummary implements Serializable {

    private static final long serialVersionUID = 1L;

    final int partition;
    long trainRows;
    long validationRows;
    /** Welford moments over training rows (Chan et al. to merge); null when not needed. */
    final double[] mean;
    final double[] m2;
    final double[] min;
    final double[] max;
    /** Distinct label texts, at most {@code nameLimit}; {@code namesOverflow} once more were seen. */
    final TreeSet<String> names = new TreeSet<>();
    boolean namesOverflow;
    boolean anyNonNumericLabel;
    /** Which integer labels 0..classes-1 occur; the first row whose numeric label is not one of them. */
    final boolean[] seen;
    long firstInvalidIndex = -1;
    double firstInvalidValue;
    private final int nameLimit;

    private PartitionSummary(int partition, int featureCount, boolean moments, int classes) {
        this.partition = partition;
        this.mean = moments ? new double[featureCount] : null;
        this.m2 = moments ? new double[featureCount] : null;
        this.min = moments ? filled(featureCount, Double.POSITIVE_INFINITY) : null;
        this.max = moments ? filled(featureCount, Double.NEGATIVE_INFINITY) : null;
        this.seen = new boolean[Math.max(classes, 0)];
        this.nameLimit = Math.max(classes, 0) + 20;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    /**
     * @param classes number of classes for classification, or 0 for regression (labels not tracked)
     */
    static PartitionSummary of(int partition, Iterator<SourceRow> rows, ValidationSplit split, int featureCount,
                               boolean moments, int classes) {
        PartitionSummary s = new PartitionSummary(partition, featureCount, moments, classes);
        while (rows.hasNext()) {
            SourceRow row = rows.next();
            if (classes > 0) {
                s.addLabel(row);
            }
            if (split.isValidation(row.index())) {
                s.validationRows++;
                continue;
            }
            s.trainRows++;
            if (moments) {
                float[] x = row.features();
                double n = s.trainRows;
                for (int j = 0; j < x.length; j++) {
                    double delta = x[j] - s.mean[j];
                    s.mean[j] += delta / n;
                    s.m2[j] += delta * (x[j] - s.mean[j]);
                    s.min[j] = Math.min(s.min[j], x[j]);
                    s.max[j] = Math.max(s.max[j], x[j]);
                }
            }
        }
        return s;
    }

    private void addLabel(SourceRow row) {
        if (row.labelText() != null) {
            if (names.size() < nameLimit || names.contains(row.labelText())) {
                names.add(row.labelText());
            } else {
                namesOverflow = true;
            }
        }
        if (!row.labelIsNumeric()) {
            anyNonNumericLabel = true;
            return;
        }
        double value = row.labelValue();
        if (value == Math.rint(value) && value >= 0 && value < seen.length) {
            seen[(int) value] = true;
        } else if (firstInvalidIndex < 0) {
            firstInvalidIndex = row.index();
            firstInvalidValue = value;
        }
    }

    /** Merges all partitions' summaries (in partition order) into one; the list is not changed. */
    static PartitionSummary merge(List<PartitionSummary> parts, int featureCount, boolean moments, int classes) {
        PartitionSummary total = new PartitionSummary(-1, featureCount, moments, classes);
        for (PartitionSummary p : parts) {
            long n = total.trainRows + p.trainRows;
            if (moments && p.trainRows > 0) {
                double na = total.trainRows;
                double nb = p.trainRows;
                for (int j = 0; j < featureCount; j++) {
                    double delta = p.mean[j] - total.mean[j];
                    total.mean[j] += delta * nb / n;
                    total.m2[j] += p.m2[j] + delta * delta * na * nb / n;
                    total.min[j] = Math.min(total.min[j], p.min[j]);
                    total.max[j] = Math.max(total.max[j], p.max[j]);
                }
            }
            total.trainRows = n;
            total.validationRows += p.validationRows;
            for (String name : p.names) {
                if (total.names.size() < total.nameLimit || total.names.contains(name)) {
                    total.names.add(name);
                } else {
                    total.namesOverflow = true;
                }
            }
            total.namesOverflow |= p.namesOverflow;
            total.anyNonNumericLabel |= p.anyNonNumericLabel;
            for (int k = 0; k < total.seen.length; k++) {
                total.seen[k] |= p.seen[k];
            }
            if (p.firstInvalidIndex >= 0
                    && (total.firstInvalidIndex < 0 || p.firstInvalidIndex < total.firstInvalidIndex)) {
                total.firstInvalidIndex = p.firstInvalidIndex;
                total.firstInvalidValue = p.firstInvalidValue;
            }
        }
        return total;
    }
}
