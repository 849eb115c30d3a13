package dptrain.driver.data;

/** What the output layer expects of the label column; decides how labels are checked and stored. */
public sealed interface LabelEncoding {

    /**
     * Class indices {@code 0..classes-1} (one output unit per class; binary cross-entropy passes
     * {@code ClassIndices(2)} and uses the 0/1 index as the target). Labels may be integers, which
     * must lie in range with {@code max + 1 == classes}, or names, which are numbered in sorted order.
     */
    record ClassIndices(int classes) implements LabelEncoding {
        public ClassIndices {
            if (classes < 2) {
                throw new IllegalArgumentException("classes must be at least 2, got " + classes);
            }
        }
    }

    /** Regression targets; {@code width} output units, which must be 1 (one label column). */
    record Values(int width) implements LabelEncoding {
        public Values {
            if (width < 1) {
                throw new IllegalArgumentException("width must be at least 1, got " + width);
            }
        }
    }
}
