package dptrain.worker.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * One worker's rows in compact float32 form: {@code features} is row-major
 * {@code rows x featureCount}; {@code labels} is row-major {@code rows x labelWidth} and holds
 * class indices (labelWidth 1) for classification or the target values for regression. Built
 * once per shard on the executor and cached; epochs never re-parse rows.
 */
public record ShardBlock(int rows, int featureCount, int labelWidth, float[] features, float[] labels)
        implements Serializable {

    public ShardBlock {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (rows < 0 || featureCount <= 0 || labelWidth <= 0) {
            throw new IllegalArgumentException("rows=" + rows + ", featureCount=" + featureCount
                    + ", labelWidth=" + labelWidth);
        }
        if (features.length != (long) rows * featureCount || labels.length != (long) rows * labelWidth) {
            throw new IllegalArgumentException("arrays do not match " + rows + " rows: features "
                    + features.length + ", labels " + labels.length);
        }
    }

    /** Size of the two arrays in bytes, the figure the executor's cache holds. */
    public long payloadBytes() {
        return 4L * (features.length + labels.length);
    }
}
