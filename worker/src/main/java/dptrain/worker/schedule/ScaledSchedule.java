package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Another schedule times a constant factor: how a rollback after a divergence lowers the
 * learning rate of a scheduled updater without changing the schedule's shape.
 */
public final class ScaledSchedule implements ISchedule {

    private double factor;
    private ISchedule inner;

    /** For Jackson. */
    public ScaledSchedule() {
    }

    public ScaledSchedule(double factor, ISchedule inner) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be > 0, got " + factor);
        }
        this.factor = factor;
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** {@code schedule} scaled by {@code factor}; scaling a scaled schedule multiplies the factors. */
    public static ScaledSchedule of(ISchedule schedule, double factor) {
        if (schedule instanceof ScaledSchedule scaled) {
            return new ScaledSchedule(scaled.factor * factor, scaled.inner);
        }
        return new ScaledSchedule(factor, schedule);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return factor * inner.valueAt(iteration, epoch);
    }

    @Override
    public ScaledSchedule clone() {
        return new ScaledSchedule(factor, inner.clone());
    }

    public double getFactor() {
        return factor;
    }

    public void setFactor(double factor) {
        this.factor = factor;
    }

    public ISchedule getInner() {
        return inner;
    }

    public void setInner(ISchedule inner) {
        this.inner = inner;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScaledSchedule s && s.factor == factor && inner.equals(s.inner);
    }

    @Override
    public int hashCode() {
        return Objects.hash(factor, inner);
    }

    @Override
    public String toString() {
        return "ScaledSchedule(" + factor + " x " + inner + ")";
    }
}
