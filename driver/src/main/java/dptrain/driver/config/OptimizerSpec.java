package dptrain.driver.config;

/**
 * The updater. Only the hyper-parameters of {@code type} matter; the others keep their defaults.
 *
 * @param type         the optimizer
 * @param learningRate step size, positive (the schedule's starting value)
 * @param momentum     momentum / nesterov coefficient in [0, 1)
 * @param beta1        Adam first-moment decay in [0, 1)
 * @param beta2        Adam second-moment decay in [0, 1)
 * @param epsilon      Adam/RMSprop/AdaGrad denominator guard, positive
 * @param rho          RMSprop decay in [0, 1)
 * @param weightDecay  decoupled weight decay: after the updater step, {@code w -= lr * weightDecay * w}
 *                     on weights (not biases); {@code >= 0}
 * @param clipNorm     largest global L2 norm of the averaged gradient; 0 for no clipping
 * @param clipValue    largest absolute element of the averaged gradient; 0 for no clipping
 * @param schedule     the learning rate over iterations
 */
public record OptimizerSpec(OptimizerType type, double learningRate, double momentum, double beta1, double beta2,
                            double epsilon, double rho, double weightDecay, double clipNorm, double clipValue,
                            ScheduleSpec schedule) {

    public OptimizerSpec {
        if (type == null) {
            throw new SpecException(OptimizerKeys.TYPE.path() + ": required; allowed: "
                    + Spelling.OPTIMIZER_TYPE.allowed());
        }
        OptimizerKeys.LEARNING_RATE.check(learningRate);
        OptimizerKeys.MOMENTUM.check(momentum);
        OptimizerKeys.BETA1.check(beta1);
        OptimizerKeys.BETA2.check(beta2);
        OptimizerKeys.EPSILON.check(epsilon);
        OptimizerKeys.RHO.check(rho);
        OptimizerKeys.WEIGHT_DECAY.check(weightDecay);
        OptimizerKeys.CLIP_NORM.check(clipNorm);
        OptimizerKeys.CLIP_VALUE.check(clipValue);
        if (clipNorm > 0 && clipValue > 0) {
            throw new SpecException(OptimizerKeys.CLIP_VALUE.path() + ": cannot be combined with "
                    + OptimizerKeys.CLIP_NORM.path() + " (" + SpecRules.format(clipNorm) + "); choose one, got "
                    + SpecRules.format(clipValue));
        }
        if (schedule == null) {
            schedule = ScheduleSpec.CONSTANT;
        }
        if (schedule.minLearningRate() >= learningRate) {
            throw new SpecException(ScheduleKeys.MIN_LEARNING_RATE.path() + ": must be below "
                    + OptimizerKeys.LEARNING_RATE.path() + " (" + SpecRules.format(learningRate) + "), got "
                    + SpecRules.format(schedule.minLearningRate()));
        }
    }

    /** Without weight decay, clipping or schedule (their defaults for every type but {@code adamw}). */
    public OptimizerSpec(OptimizerType type, double learningRate, double momentum, double beta1, double beta2,
                         double epsilon, double rho) {
        this(type, learningRate, momentum, beta1, beta2, epsilon, rho, OptimizerKeys.weightDecay(type),
                OptimizerKeys.CLIP_NORM.defaultValue(), OptimizerKeys.CLIP_VALUE.defaultValue(),
                ScheduleSpec.CONSTANT);
    }

    /** {@code type} with every hyper-parameter at its default. */
    public static OptimizerSpec defaults(OptimizerType type) {
        return OptimizerKeys.defaults(type);
    }

    /** This optimizer with the schedule fixed for a run of {@code totalIterations} ({@link ScheduleSpec#forRun}). */
    public OptimizerSpec forRun(int totalIterations) {
        return new OptimizerSpec(type, learningRate, momentum, beta1, beta2, epsilon, rho, weightDecay, clipNorm,
                clipValue, schedule.forRun(totalIterations));
    }
}
