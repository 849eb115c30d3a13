package dptrain.driver.data;

import java.io.Serializable;

/**
 * One parsed, checked input row before label mapping and normalisation.
 *
 * @param index      the row's stable position in the file (drives the split and the shard order)
 * @param features   raw feature values, all finite
 * @param labelText  the label as text (CSV cells, string columns), or {@code null} for numeric labels
 * @param labelValue the numeric label, or NaN when {@code labelText} is not a finite number
 */
record SourceRow(long index, float[] features, String labelText, double labelValue) implements Serializable {

    /** Whether the label reads as a finite number (or is a numeric column, checked later). */
    boolean labelIsNumeric() {
        return labelText == null || !Double.isNaN(labelValue);
    }
}
