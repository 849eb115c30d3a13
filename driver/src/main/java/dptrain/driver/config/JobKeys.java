package dptrain.driver.config;

/**
 * The top level of the job spec and its two small optional sections, {@code early_stopping} and
 * {@code monitoring}, declared once ({@link SpecKey}). The top-level keys are the sections, in the
 * order of {@link JobSpec}'s components and of the canonical JSON; each section's keys are declared
 * with it ({@link DataKeys}, {@link ModelKeys}, {@link TrainingKeys}, {@link OutputKeys}).
 */
final class JobKeys {

    static final SpecSection<JobSpec> TOP = new SpecSection<>("", JobKeys::build);

    static final SpecSection<EarlyStoppingSpec> EARLY_STOPPING_SECTION = new SpecSection<>("early_stopping",
            values -> new EarlyStoppingSpec(values.get(JobKeys.METRIC), values.get(JobKeys.PATIENCE),
                    values.get(JobKeys.MIN_DELTA), values.get(JobKeys.MODE)));
    static final SpecKey<EarlyStoppingSpec, StopMetric> METRIC = SpecKey.in(EARLY_STOPPING_SECTION, "metric",
                    ValueTypes.choice(Spelling.STOP_METRIC), EarlyStoppingSpec::metric)
            .required("required")
            .doc("`val_loss`, `val_accuracy` (classification), `val_r2`, `val_mse`, `val_mae` (regression),"
                    + " `train_loss`",
                    "the metric watched; `val_*` need `data.validation_fraction > 0`")
            .declare();
    static final SpecKey<EarlyStoppingSpec, Integer> PATIENCE = SpecKey.in(EARLY_STOPPING_SECTION, "patience",
                    ValueTypes.POSITIVE_INT, EarlyStoppingSpec::patience)
            .byDefault(3)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "epochs without improvement before training stops")
            .declare();
    static final SpecKey<EarlyStoppingSpec, Double> MIN_DELTA = SpecKey.in(EARLY_STOPPING_SECTION, "min_delta",
                    ValueTypes.NUMBER, EarlyStoppingSpec::minDelta)
            .byDefault(0.0)
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`",
                    "the smallest change that counts as an improvement")
            .declare();
    static final SpecKey<EarlyStoppingSpec, StopMode> MODE = SpecKey.in(EARLY_STOPPING_SECTION, "mode",
                    ValueTypes.choice(Spelling.STOP_MODE), EarlyStoppingSpec::mode)
            .byDefault(StopMode.AUTO)
            .doc("`auto`, `min`, `max`",
                    "whether smaller or larger is better; `auto`: `min` for losses and errors, `max` for"
                    + " accuracy and r2")
            .declare();

    static final SpecSection<MonitoringSpec> MONITORING_SECTION = new SpecSection<>("monitoring",
            values -> new MonitoringSpec(values.get(JobKeys.LOG_EVERY_ITERATIONS), values.get(JobKeys.PROBE_ROWS)));
    static final SpecKey<MonitoringSpec, Integer> LOG_EVERY_ITERATIONS = SpecKey.in(MONITORING_SECTION,
                    "log_every_iterations", ValueTypes.NON_NEGATIVE_INT, MonitoringSpec::logEveryIterations)
            .byDefault(0)
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "every this many iterations, a line `{\"kind\": \"iteration\", \"epoch\", \"iteration\","
                    + " \"loss\", \"lr\"}` in `metrics.jsonl` (the global batch's loss), before its epoch's"
                    + " line; `0` = none")
            .declare();
    static final SpecKey<MonitoringSpec, Integer> PROBE_ROWS = SpecKey.in(MONITORING_SECTION, "probe_rows",
                    ValueTypes.NON_NEGATIVE_INT, MonitoringSpec::probeRows)
            .byDefault(256)
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "size of the fixed probe batch (the first rows of the validation split, of the training"
                    + " split without one) on which the driver measures `activation_mean`, `activation_std` and"
                    + " `dead_relu_fraction` per layer after every epoch; `0` = none")
            .declare();

    static final SpecKey<JobSpec, DataSpec> DATA = SpecKey.in(TOP, "data", DataKeys.SECTION.asValue(),
            JobSpec::data).declare();
    static final SpecKey<JobSpec, ModelSpec> MODEL = SpecKey.in(TOP, "model", ModelKeys.SECTION.asValue(),
            JobSpec::model).declare();
    static final SpecKey<JobSpec, TrainingSpec> TRAINING = SpecKey.in(TOP, "training",
            TrainingKeys.SECTION.asValue(), JobSpec::training).declare();
    static final SpecKey<JobSpec, OutputSpec> OUTPUT = SpecKey.in(TOP, "output",
            OutputKeys.OUTPUT_SECTION.asValue(), JobSpec::output).declare();
    static final SpecKey<JobSpec, CheckpointSpec> CHECKPOINT = SpecKey.in(TOP, "checkpoint",
            OutputKeys.CHECKPOINT_SECTION.asValue(), JobSpec::checkpoint).declare();
    /** Absent: no early stopping; also in the specs of older checkpoints, which did not stop early. */
    static final SpecKey<JobSpec, EarlyStoppingSpec> EARLY_STOPPING = SpecKey.in(TOP, "early_stopping",
                    EARLY_STOPPING_SECTION.asValue(), JobSpec::earlyStopping)
            .optional("none")
            .declare();
    /** Absent in the specs of older checkpoints: those runs had no monitoring. */
    static final SpecKey<JobSpec, MonitoringSpec> MONITORING = SpecKey.in(TOP, "monitoring",
                    MONITORING_SECTION.asValue(), JobSpec::monitoring)
            .absentFromOlderJson(values -> new MonitoringSpec(0, 0))
            .declare();
    /** Absent in the specs of older checkpoints, which knew no registry: the default directory then. */
    static final SpecKey<JobSpec, String> REGISTRY = SpecKey.in(TOP, "registry",
                    OutputKeys.REGISTRY_SECTION.asValue(), spec -> spec.retrain().registryDir())
            .absentFromOlderJson(values -> OutputKeys.registryDir(values.get(JobKeys.OUTPUT).dir()))
            .declare();
    static final SpecKey<JobSpec, RetrainSpec> RETRAIN = SpecKey.in(TOP, "retrain",
                    OutputKeys.RETRAIN_SECTION.asValue(), JobSpec::retrain)
            .absentFromOlderJson(values -> OutputKeys.retrainDefaults(values.get(JobKeys.REGISTRY)))
            .declare();

    private JobKeys() {
    }

    /** The sections in order, with the rules that join them. */
    private static JobSpec build(SpecValues values) {
        DataSpec data = values.get(DATA);
        ModelSpec model = values.get(MODEL);
        model.checkInput(data.shape());
        TrainingSpec training = values.get(TRAINING);
        if (values.source() == SpecValues.Source.SPEC_FILE) {
            // canonical JSON is read as it was written, so that every checkpoint stays readable
            SpecRules.regularisation(model.l2(), training.optimizer().weightDecay());
        }
        OutputSpec output = values.get(OUTPUT);
        CheckpointSpec checkpoint = values.get(CHECKPOINT);
        EarlyStoppingSpec earlyStopping = values.get(EARLY_STOPPING);
        MonitoringSpec monitoring = values.get(MONITORING);
        values.open(REGISTRY);
        values.open(RETRAIN);
        return new JobSpec(data, model, training, output, checkpoint, earlyStopping, monitoring, values.get(RETRAIN));
    }
}
