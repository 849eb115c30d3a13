package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A linear warm-up in front of another schedule: for {@code iteration < warmupIterations} the rate
 * is {@code (iteration / warmupIterations) * after(0)}, rising from 0; from then on it is
 * {@code after(iteration - warmupIterations)}, so the schedule behind starts where the warm-up
 * ends (as in the usual "warm-up, then cosine" recipe).
 */
public final class LinearWarmup implements ISchedule {

    private int warmupIterations;
    private ISchedule after;

    /** For Jackson. */
    public LinearWarmup() {
    }

    public LinearWarmup(int warmupIterations, ISchedule after) {
        if (warmupIterations < 1) {
            throw new IllegalArgumentException("warmupIterations must be >= 1, got " + warmupIterations);
        }
        this.warmupIterations = warmupIterations;
        this.after = Objects.requireNonNull(after, "after");
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupIterations) {
            return after.valueAt(0, epoch) * iteration / warmupIterations;
        }
        return after.valueAt(iteration - warmupIterations, epoch);
    }

    @Override
    public LinearWarmup clone() {
        return new LinearWarmup(warmupIterations, after.clone());
    }

    public int getWarmupIterations() {
        return warmupIterations;
    }

    public void setWarmupIterations(int warmupIterations) {
        this.warmupIterations = warmupIterations;
    }

    public ISchedule getAfter() {
        return after;
    }

    public void setAfter(ISchedule after) {
        this.after = after;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LinearWarmup w && w.warmupIterations == warmupIterations && after.equals(w.after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(warmupIterations, after);
    }

    @Override
    public String toString() {
        return "LinearWarmup(" + warmupIterations + ", then " + after + ")";
    }
}
