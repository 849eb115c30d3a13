package dptrain.driver.config;

/**
 * The updater. Only the hyper-parameters of {@code type} matter; the others keep their defaults.
 *
 * @param type         the optimizer
 * @param learningRate step size, positive
 * @param momentum     momentum / nesterov coefficient in [0, 1)
 * @param beta1        Adam first-moment decay in [0, 1)
 * @param beta2        Adam second-moment decay in [0, 1)
 * @param epsilon      Adam/RMSprop denominator guard, positive
 * @param rho          RMSprop decay in [0, 1)
 */
public record OptimizerSpec(OptimizerType type, double learningRate, double momentum, double beta1, double beta2,
                            double epsilon, double rho) {

    public OptimizerSpec {
        if (type == null) {
            throw new SpecException("training.optimizer.type: required; allowed: " + Spelling.OPTIMIZER_TYPE.allowed());
        }
        SpecRules.greaterThanZero("training.optimizer.learning_rate", learningRate);
        SpecRules.fraction("training.optimizer.momentum", momentum);
        SpecRules.fraction("training.optimizer.beta1", beta1);
        SpecRules.fraction("training.optimizer.beta2", beta2);
        SpecRules.greaterThanZero("training.optimizer.epsilon", epsilon);
        SpecRules.fraction("training.optimizer.rho", rho);
    }

    /** {@code type} with every hyper-parameter at its default ({@link SpecDefaults}). */
    public static OptimizerSpec defaults(OptimizerType type) {
        return SpecDefaults.optimizer(type);
    }
}
