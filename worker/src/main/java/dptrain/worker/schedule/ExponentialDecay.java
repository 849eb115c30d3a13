package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/** {@code initial * gamma^iteration}. */
public final class ExponentialDecay implements ISchedule {

    private double initial;
    private double gamma;

    /** For Jackson. */
    public ExponentialDecay() {
    }

    public ExponentialDecay(double initial, double gamma) {
        this.initial = initial;
        this.gamma = gamma;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return initial * Math.pow(gamma, iteration);
    }

    @Override
    public ExponentialDecay clone() {
        return new ExponentialDecay(initial, gamma);
    }

    public double getInitial() {
        return initial;
    }

    public void setInitial(double initial) {
        this.initial = initial;
    }

    public double getGamma() {
        return gamma;
    }

    public void setGamma(double gamma) {
        this.gamma = gamma;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExponentialDecay e && e.initial == initial && e.gamma == gamma;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, gamma);
    }

    @Override
    public String toString() {
        return "ExponentialDecay(initial=" + initial + ", gamma=" + gamma + ")";
    }
}
