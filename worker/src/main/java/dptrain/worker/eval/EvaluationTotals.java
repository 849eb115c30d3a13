package dptrain.worker.eval;

import java.io.Serializable;

/**
 * Sums from which every evaluation metric follows; partial totals of blocks add up
 * ({@link #plus}), so evaluation is one distributed reduce.
 *
 * @param rows      rows evaluated
 * @param lossSum   data loss summed over rows (no regularisation)
 * @param correct   correctly classified rows (classification)
 * @param confusion row-major {@code classes x classes} counts, actual class by row, predicted by column
 *                  (classification; empty for regression)
 * @param squaredError  sum of squared errors over all outputs (regression)
 * @param absoluteError sum of absolute errors over all outputs (regression)
 * @param targetSum     sum of targets (regression, for r2)
 * @param targetSquares sum of squared targets (regression, for r2)
 * @param values        target values counted (rows x outputs, regression)
 */
public record EvaluationTotals(long rows, double lossSum, long correct, long[] confusion, double squaredError,
                               double absoluteError, double targetSum, double targetSquares, long values)
        implements Serializable {

    public static EvaluationTotals empty(int classes) {
        return new EvaluationTotals(0, 0, 0, new long[classes * classes], 0, 0, 0, 0, 0);
    }

    public EvaluationTotals plus(EvaluationTotals other) {
        long[] sum = confusion.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.confusion[i];
        }
        return new EvaluationTotals(rows + other.rows, lossSum + other.lossSum, correct + other.correct, sum,
                squaredError + other.squaredError, absoluteError + other.absoluteError,
                targetSum + other.targetSum, targetSquares + other.targetSquares, values + other.values);
    }

    public double meanLoss() {
        return rows == 0 ? Double.NaN : lossSum / rows;
    }

    public double accuracy() {
        return rows == 0 ? Double.NaN : (double) correct / rows;
    }

    public double meanSquaredError() {
        return values == 0 ? Double.NaN : squaredError / values;
    }

    public double meanAbsoluteError() {
        return values == 0 ? Double.NaN : absoluteError / values;
    }

    /** Coefficient of determination {@code 1 - SSE/SST}, SST around the targets' own mean. */
    public double r2() {
        if (values == 0) {
            return Double.NaN;
        }
        double total = targetSquares - targetSum * targetSum / values;
        return total == 0 ? Double.NaN : 1 - squaredError / total;
    }
}
