package dptrain.driver.config;

import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How {@code dptrain retrain} keeps its models: the versioned registry and the promotion rule.
 * The {@code registry} and {@code retrain} sections are optional; {@code dptrain train} ignores them.
 *
 * @param registryDir    the model registry, any Hadoop URI ({@code <output.dir>/models} unless given)
 * @param metric         the holdout metric the candidate must improve ({@code auto}: the task's own)
 * @param minImprovement how much better than the current model the candidate must be to be promoted
 *                       (strictly more than this; in the metric's units, {@code >= 0})
 */
public record RetrainSpec(String registryDir, RetrainMetric metric, double minImprovement) {

    public RetrainSpec {
        OutputKeys.REGISTRY_DIR.check(registryDir);
        Objects.requireNonNull(metric, "metric");
        OutputKeys.MIN_IMPROVEMENT.check(minImprovement);
    }

    /** The defaults for a job whose output goes to {@code outputDir}. */
    public static RetrainSpec defaults(String outputDir) {
        return OutputKeys.retrainDefaults(OutputKeys.registryDir(outputDir));
    }

    /**
     * The metric compared for a job of {@code task}, {@code auto} resolved.
     *
     * @throws SpecException (one line) when the metric is not computed for the task
     */
    public RetrainMetric metricFor(Task task) {
        if (!metric.fits(task)) {
            String allowed = Stream.of(RetrainMetric.values()).filter(m -> m.fits(task)).map(RetrainMetric::key)
                    .collect(Collectors.joining(", "));
            throw new SpecException("retrain.metric: " + metric.key() + " is not computed for a "
                    + task.name().toLowerCase(Locale.ROOT) + " job; allowed: " + allowed);
        }
        return metric.resolve(task);
    }
}
