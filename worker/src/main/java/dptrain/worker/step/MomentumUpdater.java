package dptrain.worker.step;

import java.util.Collections;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.learning.GradientUpdater;

/** The state and arithmetic of {@link Momentum}: one velocity per parameter. */
final class MomentumUpdater implements GradientUpdater<Momentum> {

    private static final String VELOCITY = "V";

    private final Momentum config;
    private INDArray velocity;

    MomentumUpdater(Momentum config) {
        this.config = config;
    }

    @Override
    public Momentum getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (stateMap.size() != 1 || !stateMap.containsKey(VELOCITY)) {
            throw new IllegalStateException("momentum state must hold only " + VELOCITY + ", got " + stateMap.keySet());
        }
        velocity = stateMap.get(VELOCITY);
        if (initialize) {
            velocity.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        return Collections.singletonMap(VELOCITY, velocity);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (initialize) {
            viewArray.assign(0);
        }
        velocity = Shape.newShapeNoCopy(viewArray, gradientShape, gradientOrder == 'f');
        if (velocity == null) {
            throw new IllegalStateException("could not reshape the momentum state to the gradient's shape");
        }
    }

    /** Turns the gradient into the step DL4J subtracts: {@code v = mu*v + g; step = lr*v}. */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        velocity.muli(config.getMomentum()).addi(gradient);
        gradient.assign(velocity).muli(config.getLearningRate(iteration, epoch));
    }
}
