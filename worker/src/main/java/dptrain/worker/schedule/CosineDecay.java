package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Cosine annealing (Loshchilov and Hutter, SGDR, without restarts):
 * {@code minimum + (initial - minimum) * (1 + cos(pi * iteration / totalIterations)) / 2}, then
 * {@code minimum} from {@code totalIterations} on.
 */
public final class CosineDecay implements ISchedule {

    private double initial;
    private int totalIterations;
    private double minimum;

    /** For Jackson. */
    public CosineDecay() {
    }

    public CosineDecay(double initial, int totalIterations, double minimum) {
        if (totalIterations < 1) {
            throw new IllegalArgumentException("totalIterations must be >= 1, got " + totalIterations);
        }
        this.initial = initial;
        this.totalIterations = totalIterations;
        this.minimum = minimum;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration >= totalIterations) {
            return minimum;
        }
        return cosine(initial, minimum, iteration, totalIterations);
    }

    /** The half cosine from {@code initial} at {@code t = 0} down to {@code minimum} at {@code t = period}. */
    static double cosine(double initial, double minimum, double t, double period) {
        return minimum + (initial - minimum) * (1 + Math.cos(Math.PI * t / period)) / 2;
    }

    @Override
    public CosineDecay clone() {
        return new CosineDecay(initial, totalIterations, minimum);
    }

    public double getInitial() {
        return initial;
    }

    public void setInitial(double initial) {
        this.initial = initial;
    }

    public int getTotalIterations() {
        return totalIterations;
    }

    public void setTotalIterations(int totalIterations) {
        this.totalIterations = totalIterations;
    }

    public double getMinimum() {
        return minimum;
    }

    public void setMinimum(double minimum) {
        this.minimum = minimum;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CosineDecay c && c.initial == initial && c.totalIterations == totalIterations
                && c.minimum == minimum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, totalIterations, minimum);
    }

    @Override
    public String toString() {
        return "CosineDecay(initial=" + initial + ", totalIterations=" + totalIterations + ", minimum=" + minimum + ")";
    }
}
