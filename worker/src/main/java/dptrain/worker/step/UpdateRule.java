package dptrain.worker.step;

import java.util.Optional;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * One updater's arithmetic inside {@link FusedUpdate}: DL4J's step for one variable over
 * {@code [from, to)}, written as libnd4j's CPU kernel for that updater computes it in float (the
 * same operations in the same order, scalars cast to float as the kernel casts them), between
 * DL4J's own steps around every updater: the gradient divided by the batch size, plus L2
 * ({@code g = l2 * p + g}), the updater's update {@code u}, plus weight decay
 * ({@code u = decay * p + u}), {@code p -= u}. The update is left in {@code sums}.
 *
 * <p>Each rule keeps its loop free of calls and of values carried between elements, so that the
 * JIT vectorises it; a rule's state arrays are indexed like the parameters.
 */
sealed interface UpdateRule {

    /** What every element of one variable's step shares. */
    record Terms(float learningRate, float batch, float scale, float bound, float l2, float decay) {
    }

    /** How many arrays of state, each as long as the parameters, DL4J keeps for this updater. */
    int stateArrays();

    /** One step over {@code [from, to)}; {@code first} and {@code second} are the state arrays it uses. */
    void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] first, float[] second,
               int iteration, int epoch);

    /**
     * The rule for {@code config}, or empty where it would not be DL4J's step exactly: only these
     * classes themselves (a subclass may change the arithmetic), and AdaGrad only with a non-zero
     * epsilon (libnd4j versions differ in what they put in its place).
     */
    static Optional<UpdateRule> of(IUpdater config) {
        Class<?> type = config.getClass();
        if (type == Sgd.class) {
            return Optional.of(new SgdRule());
        } else if (type == Adam.class) {
            return Optional.of(new AdamRule((Adam) config));
        } else if (type == Momentum.class) {
            return Optional.of(new MomentumRule((Momentum) config));
        } else if (type == Nesterovs.class) {
            return Optional.of(new NesterovRule((Nesterovs) config));
        } else if (type == RmsProp.class) {
            return Optional.of(new RmsPropRule((RmsProp) config));
        } else if (type == AdaGrad.class && ((AdaGrad) config).getEpsilon() != 0) {
            return Optional.of(new AdaGradRule((AdaGrad) config));
        }
        return Optional.empty();
    }

    /** libnd4j's {@code sgdUpdater}: {@code u = g * lr}. */
    record SgdRule() implements UpdateRule {
        @Override
        public int stateArrays() {
            return 0;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] first, float[] second,
                          int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float u = decay * p + g * learningRate;
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }

    /**
     * libnd4j's {@code adamUpdater}: {@code m = beta1 m + (1 - beta1) g}, {@code v = beta2 v + (1 - beta2) g^2},
     * {@code u = m * lr sqrt(1 - beta2^t) / (1 - beta1^t) / (sqrt(v) + epsilon)}, {@code t = iteration + 1};
     * state M then V. The kernel's {@code 1. - beta^t} and the division by it are double arithmetic
     * (a double literal), rounded to float once: the bias-corrected rate is computed so here too, or
     * it may differ in its last bit once {@code beta1^t} falls below a half.
     */
    record AdamRule(Adam config) implements UpdateRule {
        @Override
        public int stateArrays() {
            return 2;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] m, float[] v,
                          int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float beta1 = (float) config.getBeta1();
            float beta2 = (float) config.getBeta2();
            float epsilon = (float) config.getEpsilon();
            float beta1T = (float) Math.pow(beta1, iteration + 1);
            float beta2T = (float) Math.pow(beta2, iteration + 1);
            // libnd4j: lr * sqrt(1. - beta2T) / (1. - beta1T), the subtractions and the division in double
            float epsilonT = (float) ((learningRate * (float) Math.sqrt((float) (1.0 - beta2T))) / (1.0 - beta1T));
            if (Float.isNaN(epsilonT) || Float.isInfinite(epsilonT) || epsilonT == 0f) {
                epsilonT = epsilon;
            }
            float oneMinusBeta1 = 1f - beta1;
            float oneMinusBeta2 = 1f - beta2;
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float mi = beta1 * m[i] + g * oneMinusBeta1;
                float vi = beta2 * v[i] + g * g * oneMinusBeta2;
                m[i] = mi;
                v[i] = vi;
                float u = decay * p + mi * epsilonT / ((float) Math.sqrt(vi) + epsilon);
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }

    /**
     * {@link MomentumUpdater}'s native operations: {@code v = v * mu} then {@code v = v + g}, then
     * {@code u = v * lr}; state V.
     */
    record MomentumRule(Momentum config) implements UpdateRule {
        @Override
        public int stateArrays() {
            return 1;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] velocity,
                          float[] unused, int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float momentum = (float) config.getMomentum();
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float vi = velocity[i] * momentum + g;
                velocity[i] = vi;
                float u = decay * p + vi * learningRate;
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }

    /**
     * libnd4j's {@code nesterovsUpdater}: {@code prev = mu * v}, {@code v = prev - lr * g},
     * {@code u = prev + (-mu - 1) * v}, with the momentum of the iteration (it may follow a
     * schedule); state V.
     */
    record NesterovRule(Nesterovs config) implements UpdateRule {
        @Override
        public int stateArrays() {
            return 1;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] velocity,
                          float[] unused, int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float momentum = (float) config.currentMomentum(iteration, epoch);
            float momentumT = -momentum - 1;
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float previous = momentum * velocity[i];
                float vi = previous - learningRate * g;
                velocity[i] = vi;
                float u = decay * p + (previous + momentumT * vi);
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }

    /**
     * libnd4j's {@code rmsPropUpdater}: {@code s = s * rho + g * g * (1 - rho)},
     * {@code u = (lr * g) / (sqrt(s) + epsilon)}; state G.
     */
    record RmsPropRule(RmsProp config) implements UpdateRule {
        @Override
        public int stateArrays() {
            return 1;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] squares,
                          float[] unused, int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float rho = (float) config.getRmsDecay();
            float oneMinusRho = 1 - rho;
            float epsilon = (float) config.getEpsilon();
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float si = squares[i] * rho + g * g * oneMinusRho;
                squares[i] = si;
                float u = decay * p + (learningRate * g) / ((float) Math.sqrt(si) + epsilon);
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }

    /**
     * libnd4j's {@code adaGradUpdater}: {@code h = h + g * g}, {@code u = (lr * g) / (sqrt(h) + epsilon)};
     * state the sum of squares.
     */
    record AdaGradRule(AdaGrad config) implements UpdateRule {
        @Override
        public int stateArrays() {
            return 1;
        }

        @Override
        public void apply(int from, int to, Terms terms, float[] sums, float[] params, float[] history,
                          float[] unused, int iteration, int epoch) {
            float learningRate = terms.learningRate();
            float epsilon = (float) config.getEpsilon();
            float batch = terms.batch();
            float scale = terms.scale();
            float bound = terms.bound();
            float l2 = terms.l2();
            float decay = terms.decay();
            for (int i = from; i < to; i++) {
                float p = params[i];
                float g = l2 * p + Math.min(Math.max(sums[i] * scale, -bound), bound) / batch;
                float hi = history[i] + g * g;
                history[i] = hi;
                float u = decay * p + (learningRate * g) / ((float) Math.sqrt(hi) + epsilon);
                params[i] = p - u;
                sums[i] = u;
            }
        }
    }
}
