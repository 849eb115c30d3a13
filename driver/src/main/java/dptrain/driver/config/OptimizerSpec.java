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
}
