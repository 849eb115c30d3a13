package dptrain.driver.ml;

import java.io.Serializable;
import org.apache.spark.ml.linalg.Vectors;

/**
 * Which columns scoring appends, and how a network output row becomes their values: for a
 * classifier the argmax class index, the class probabilities and their logarithms (a single
 * sigmoid output {@code p} counts as the two classes {@code [1 - p, p]}); for a regressor the
 * first output.
 *
 * @param classes     classes of a classifier, 0 for a regressor
 * @param prediction  whether to append the prediction column
 * @param probability whether to append the probability vector
 * @param raw         whether to append the raw prediction vector
 */
record ScoredColumns(int classes, boolean prediction, boolean probability, boolean raw) implements Serializable {

    int count() {
        return (prediction ? 1 : 0) + (probability ? 1 : 0) + (raw ? 1 : 0);
    }

    /** Fills {@code into[at..]} from the output row {@code output[offset .. offset + width)}. */
    void fill(float[] output, int offset, int width, Object[] into, int at) {
        if (classes == 0) {
            if (prediction) {
                into[at] = (double) output[offset];
            }
            return;
        }
        double[] probabilities = new double[classes];
        if (width == 1) {
            probabilities[1] = output[offset];
            probabilities[0] = 1 - probabilities[1];
        } else {
            for (int k = 0; k < classes; k++) {
                probabilities[k] = output[offset + k];
            }
        }
        int best = 0;
        for (int k = 1; k < classes; k++) {
            if (probabilities[k] > probabilities[best]) {
                best = k;
            }
        }
        int column = at;
        if (prediction) {
            into[column++] = (double) best;
        }
        if (probability) {
            into[column++] = Vectors.dense(probabilities);
        }
        if (raw) {
            double[] logs = new double[classes];
            for (int k = 0; k < classes; k++) {
                logs[k] = Math.log(probabilities[k]);
            }
            into[column] = Vectors.dense(logs);
        }
    }
}
