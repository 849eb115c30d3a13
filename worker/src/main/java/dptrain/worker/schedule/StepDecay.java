package dptrain.worker.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;

/** {@code initial * gamma^floor(iteration / stepSize)}: the rate drops by {@code gamma} every {@code stepSize} iterations. */
public final class StepDecay implements ISchedule {

    private double initial;
    private int stepSize;
    private double gamma;

    /** For Jackson. */
    public StepDecay() {
    }

    public StepDecay(double initial, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("stepSize must be >= 1, got " + stepSize);
        }
        this.initial = initial;
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return initial * Math.pow(gamma, Math.floorDiv(iteration, stepSize));
    }

    @Override
    public StepDecay clone() {
        return new StepDecay(initial, stepSize, gamma);
    }

    public double getInitial() {
        return initial;
    }

    public void setInitial(double initial) {
        this.initial = initial;
    }

    public int getStepSize() {
        return stepSize;
    }

    public void setStepSize(int stepSize) {
        this.stepSize = stepSize;
    }

    public double getGamma() {
        return gamma;
    }

    public void setGamma(double gamma) {
        this.gamma = gamma;
    }

    // DL4J groups layers into one updater block only when their updater configs (schedules included) are equal.
    @Override
    public boolean equals(Object other) {
        return other instanceof StepDecay s && s.initial == initial && s.stepSize == stepSize && s.gamma == gamma;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, stepSize, gamma);
    }

    @Override
    public String toString() {
        return "StepDecay(initial=" + initial + ", stepSize=" + stepSize + ", gamma=" + gamma + ")";
    }
}
