package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/** The same rate at every iteration; what {@link LinearWarmup} warms up to when no decay is wanted. */
public final class ConstantRate implements ISchedule {

    private double value;

    /** For Jackson. */
    public ConstantRate() {
    }

    public ConstantRate(double value) {
        this.value = value;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return value;
    }

    @Override
    public ConstantRate clone() {
        return new ConstantRate(value);
    }

    public double getValue() {
        return value;
    }

    public void setValue(double value) {
        this.value = value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConstantRate c && c.value == value;
    }

    @Override
    public int hashCode() {
        return Objects.hash(value);
    }

    @Override
    public String toString() {
        return "ConstantRate(" + value + ")";
    }
}
