package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Cosine annealing with warm restarts (Loshchilov and Hutter 2017, SGDR; PyTorch's
 * {@code CosineAnnealingWarmRestarts}): the first cycle lasts {@code period} iterations, each
 * next one {@code periodMultiplier} times longer; within a cycle of length {@code T} at position
 * {@code t} the rate is {@code minimum + (initial - minimum) * (1 + cos(pi * t / T)) / 2}.
 */
public final class CosineRestarts implements ISchedule {

    private double initial;
    private int period;
    private int periodMultiplier;
    private double minimum;

    /** For Jackson. */
    public CosineRestarts() {
    }

    public CosineRestarts(double initial, int period, int periodMultiplier, double minimum) {
        if (period < 1 || periodMultiplier < 1) {
            throw new IllegalArgumentException("period and periodMultiplier must be >= 1, got " + period + " and "
                    + periodMultiplier);
        }
        this.initial = initial;
        this.period = period;
        this.periodMultiplier = periodMultiplier;
        this.minimum = minimum;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        long t = iteration;
        long length = period;
        if (periodMultiplier == 1) {
            t = t % length;
        } else {
            // cycles grow geometrically, so this loop runs O(log(iteration)) times
            while (t >= length) {
                t -= length;
                length *= periodMultiplier;
            }
        }
        return CosineDecay.cosine(initial, minimum, t, length);
    }

    @Override
    public CosineRestarts clone() {
        return new CosineRestarts(initial, period, periodMultiplier, minimum);
    }

    public double getInitial() {
        return initial;
    }

    public void setInitial(double initial) {
        this.initial = initial;
    }

    public int getPeriod() {
        return period;
    }

    public void setPeriod(int period) {
        this.period = period;
    }

    public int getPeriodMultiplier() {
        return periodMultiplier;
    }

    public void setPeriodMultiplier(int periodMultiplier) {
        this.periodMultiplier = periodMultiplier;
    }

    public double getMinimum() {
        return minimum;
    }

    public void setMinimum(double minimum) {
        this.minimum = minimum;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CosineRestarts c && c.initial == initial && c.period == period
                && c.periodMultiplier == periodMultiplier && c.minimum == minimum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, period, periodMultiplier, minimum);
    }

    @Override
    public String toString() {
        return "CosineRestarts(initial=" + initial + ", period=" + period + ", periodMultiplier=" + periodMultiplier
                + ", minimum=" + minimum + ")";
    }
}
