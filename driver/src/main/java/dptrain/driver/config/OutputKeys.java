package dptrain.driver.config;

import java.util.function.Function;

/**
 * The keys of where a job's results go, declared once ({@link SpecKey}): {@code output},
 * {@code checkpoint}, and the {@code registry} and {@code retrain} sections that together become a
 * {@link RetrainSpec}. The checkpoint and registry directories default to places under
 * {@code output.dir}.
 */
final class OutputKeys {

    static final SpecSection<OutputSpec> OUTPUT_SECTION = new SpecSection<>("output",
            values -> new OutputSpec(values.get(OutputKeys.DIR)));
    static final SpecKey<OutputSpec, String> DIR = SpecKey.in(OUTPUT_SECTION, "dir", ValueTypes.STRING, OutputSpec::dir)
            .required("required")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "where `metrics.jsonl`, `summary.json`, `report.html` and the model go")
            .declare();

    static final SpecSection<CheckpointSpec> CHECKPOINT_SECTION = new SpecSection<>("checkpoint",
            OutputKeys::checkpoint);
    static final SpecKey<CheckpointSpec, String> CHECKPOINT_DIR = SpecKey.in(CHECKPOINT_SECTION, "dir",
                    ValueTypes.STRING, CheckpointSpec::dir)
            .byDefault((key, values) -> checkpointDir(outputDir(values)), "`<output.dir>/checkpoints`")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "where checkpoints go")
            .declare();
    static final SpecKey<CheckpointSpec, Integer> KEEP = SpecKey.in(CHECKPOINT_SECTION, "keep", ValueTypes.POSITIVE_INT,
                    CheckpointSpec::keep)
            .byDefault(3)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "how many of the newest checkpoints are kept")
            .declare();
    static final SpecKey<CheckpointSpec, Boolean> RESUME = SpecKey.in(CHECKPOINT_SECTION, "resume", ValueTypes.BOOLEAN,
                    CheckpointSpec::resume)
            .byDefault(true)
            .doc("`true`, `false`",
                    "resume from the newest checkpoint in `checkpoint.dir` if there is one")
            .declare();

    /** The registry section holds one directory. */
    static final SpecSection<String> REGISTRY_SECTION = new SpecSection<>("registry",
            values -> values.get(OutputKeys.REGISTRY_DIR));
    static final SpecKey<String, String> REGISTRY_DIR = SpecKey.in(REGISTRY_SECTION, "dir", ValueTypes.STRING,
                    Function.identity())
            .byDefault((key, values) -> registryDir(outputDir(values)), "`<output.dir>/models`")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "the versioned model registry of `dptrain retrain` and `dptrain models`: an existing"
                    + " registry, or a missing or empty directory; `dptrain train` ignores it")
            .declare();

    /** The promotion rule; the record also holds the registry directory, read from the sibling section. */
    static final SpecSection<RetrainSpec> RETRAIN_SECTION = new SpecSection<>("retrain",
            values -> new RetrainSpec(values.parent().get(JobKeys.REGISTRY), values.get(OutputKeys.METRIC),
                    values.get(OutputKeys.MIN_IMPROVEMENT)));
    static final SpecKey<RetrainSpec, RetrainMetric> METRIC = SpecKey.in(RETRAIN_SECTION, "metric",
                    ValueTypes.choice(Spelling.RETRAIN_METRIC), RetrainSpec::metric)
            .byDefault(RetrainMetric.AUTO)
            .doc("`auto`, `accuracy` (classification), `loss`, `mse`, `mae`, `r2` (regression)",
                    "the holdout metric the candidate must improve on the current model: `test_<metric>` on"
                    + " `data.test`, else `val_<metric>` on the new data's validation split; `auto`: `accuracy`"
                    + " for classification, `mse` for regression")
            .declare();
    static final SpecKey<RetrainSpec, Double> MIN_IMPROVEMENT = SpecKey.in(RETRAIN_SECTION, "min_improvement",
                    ValueTypes.NUMBER, RetrainSpec::minImprovement)
            .byDefault(0.0)
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`",
                    "the candidate is promoted only when better than the current model by strictly more than"
                    + " this, in the metric's units (`0.005` accuracy = half a point)")
            .declare();

    private static final String CHECKPOINT_SUBDIR = "checkpoints";
    private static final String REGISTRY_SUBDIR = "models";

    private OutputKeys() {
    }

    private static CheckpointSpec checkpoint(SpecValues values) {
        return new CheckpointSpec(values.get(CHECKPOINT_DIR), values.get(KEEP), values.get(RESUME));
    }

    /** {@code output.dir}, read from the top level of the spec that holds {@code section}. */
    private static String outputDir(SpecValues section) {
        return section.parent().get(JobKeys.OUTPUT).dir();
    }

    /** {@code <outputDir>/checkpoints}, without doubling a trailing slash. */
    static String checkpointDir(String outputDir) {
        return under(outputDir, CHECKPOINT_SUBDIR);
    }

    /**
     * {@code <outputDir>/models}: where {@code dptrain retrain} keeps its versions unless
     * {@code registry.dir} says.
     */
    static String registryDir(String outputDir) {
        return under(outputDir, REGISTRY_SUBDIR);
    }

    /** The promotion rule when the spec gives none, for a job whose output goes to {@code outputDir}. */
    static RetrainSpec retrainDefaults(String registryDir) {
        return new RetrainSpec(registryDir, METRIC.defaultValue(), MIN_IMPROVEMENT.defaultValue());
    }

    private static String under(String outputDir, String name) {
        String base = outputDir.endsWith("/") ? outputDir.substring(0, outputDir.length() - 1) : outputDir;
        return base + "/" + name;
    }
}
