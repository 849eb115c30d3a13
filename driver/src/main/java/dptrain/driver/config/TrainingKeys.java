package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;

/**
 * The keys of the {@code training} section, declared once ({@link SpecKey}); they become a
 * {@link TrainingSpec}. The keys newer than the first checkpoints read as their defaults from older
 * canonical JSON.
 */
final class TrainingKeys {

    static final SpecSection<TrainingSpec> SECTION = new SpecSection<>("training", TrainingKeys::build);

    static final SpecKey<TrainingSpec, Integer> WORKERS = SpecKey.in(SECTION, "workers", ValueTypes.POSITIVE_INT,
                    TrainingSpec::workers)
            .byDefault(2)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "data-parallel workers (Spark barrier tasks)")
            .declare();
    static final SpecKey<TrainingSpec, Integer> BATCH_SIZE = SpecKey.in(SECTION, "batch_size",
                    ValueTypes.POSITIVE_INT, TrainingSpec::batchSize)
            .byDefault(64)
            .validate(SpecRules::positive)
            .doc("`>= training.workers`",
                    "the global mini-batch, split across the workers")
            .declare();
    static final SpecKey<TrainingSpec, Integer> EPOCHS = SpecKey.in(SECTION, "epochs", ValueTypes.POSITIVE_INT,
                    TrainingSpec::epochs)
            .byDefault(10)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "passes over the training split")
            .declare();
    static final SpecKey<TrainingSpec, Long> SEED = SpecKey.in(SECTION, "seed", ValueTypes.LONG, TrainingSpec::seed)
            .byDefault(42L)
            .doc("any 64-bit integer",
                    "the one seed: initialisation, split, shuffling")
            .declare();
    /** A mapping whose keys have their own rows. */
    static final SpecKey<TrainingSpec, OptimizerSpec> OPTIMIZER = SpecKey.in(SECTION, "optimizer",
                    OptimizerKeys.SECTION.asValue(), TrainingSpec::optimizer)
            .declare();
    static final SpecKey<TrainingSpec, Integer> EPOCH_RETRIES = SpecKey.in(SECTION, "epoch_retries",
                    ValueTypes.NON_NEGATIVE_INT, TrainingSpec::epochRetries)
            .byDefault(2)
            .validate(SpecRules::nonNegative)
            .doc("`>= 0`",
                    "how often a failed epoch is relaunched from its start state")
            .declare();
    static final SpecKey<TrainingSpec, Integer> COLLECTIVE_TIMEOUT_SECONDS = SpecKey.in(SECTION,
                    "collective_timeout_seconds", ValueTypes.POSITIVE_INT, TrainingSpec::collectiveTimeoutSeconds)
            .byDefault(120)
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "longest any all-reduce wait may take before the task fails")
            .declare();
    static final SpecKey<TrainingSpec, Averaging.Mode> AVERAGING = SpecKey.in(SECTION, "averaging",
                    ValueTypes.choice(Spelling.AVERAGING_MODE), TrainingSpec::averaging)
            .byDefault(Averaging.Mode.GRADIENTS)
            .absentFromOlderJsonIsTheDefault()
            .doc("`gradients`, `parameters`",
                    "`gradients`: the workers add their gradient sums every iteration, which is exactly the"
                    + " global-batch step of one machine; `parameters`: each worker takes local updater steps on"
                    + " its own part of each global batch, and every `averaging_frequency` steps (and at the end"
                    + " of each epoch) the parameters are averaged over the workers with the same all-reduce,"
                    + " each worker weighted by the rows it stepped on (with plain SGD and a frequency of 1 this"
                    + " equals gradient averaging). Under `parameters`, clipping, the divergence check and the"
                    + " gradient-norm statistics see each worker's local gradient")
            .declare();
    static final SpecKey<TrainingSpec, Integer> AVERAGING_FREQUENCY = SpecKey.in(SECTION, "averaging_frequency",
                    ValueTypes.POSITIVE_INT, TrainingSpec::averagingFrequency)
            .byDefault(1)
            .absentFromOlderJsonIsTheDefault()
            .validate(SpecRules::positive)
            .doc("`>= 1`; above 1 only with `averaging: parameters`",
                    "local steps between parameter averages")
            .declare();
    static final SpecKey<TrainingSpec, Boolean> AVERAGE_UPDATER_STATE = SpecKey.in(SECTION, "average_updater_state",
                    ValueTypes.BOOLEAN, TrainingSpec::averageUpdaterState)
            .onlyWhen(values -> values.get(AVERAGING) == Averaging.Mode.PARAMETERS,
                    values -> "only used with training.averaging: parameters (gradient averaging has one updater"
                            + " state)")
            .byDefault(true)
            .absentFromOlderJsonIsTheDefault()
            .doc("`true`, `false`; only with `averaging: parameters`",
                    "average the updater state (momentum, Adam moments) together with the parameters; `false`"
                    + " keeps each worker's own (checkpoints hold worker 0's)")
            .declare();
    /** Newer than the first checkpoints' specs, which stopped on divergence. */
    static final SpecKey<TrainingSpec, OnDivergence> ON_DIVERGENCE = SpecKey.in(SECTION, "on_divergence",
                    ValueTypes.choice(Spelling.ON_DIVERGENCE), TrainingSpec::onDivergence)
            .byDefault(OnDivergence.STOP)
            .absentFromOlderJson(values -> OnDivergence.STOP)
            .doc("`stop`, `rollback`",
                    "when the loss or the averaged gradient becomes NaN or infinite: `stop` exits with code 3"
                    + " naming the epoch and iteration, the checkpoints left as they were; `rollback` relaunches"
                    + " the epoch from its start state (the last good checkpoint) with half the learning rate,"
                    + " at most 3 times in a run (then stops as `stop` does); the rollbacks are lines in"
                    + " `metrics.jsonl` and the scale is kept in the checkpoints")
            .declare();
    static final SpecKey<TrainingSpec, DeviceMode> DEVICE = SpecKey.in(SECTION, "device",
                    ValueTypes.choice(Spelling.DEVICE), TrainingSpec::device)
            .byDefault(DeviceMode.AUTO)
            .absentFromOlderJsonIsTheDefault()
            .doc("`cpu`, `gpu`, `auto`",
                    "where the executors train. `cpu`: ND4J's CPU backend. `gpu`: each task binds the GPU"
                    + " Spark assigned it (`spark.task.resource.gpu.amount`) with the CUDA build"
                    + " (`dptrain-cuda.jar`), and fails at once with one line naming the device when there is"
                    + " none or its compute capability is outside 3.7 to 8.9 (no retries). `auto`: a supported"
                    + " GPU when the CUDA build and one are there, otherwise the CPU with a warning. See"
                    + " docs/gpu.md")
            .declare();

    static final SpecKey<TrainingSpec, AllReduceEncryption> ALLREDUCE_ENCRYPTION = SpecKey.in(SECTION,
                    "allreduce_encryption", ValueTypes.choice(Spelling.ALLREDUCE_ENCRYPTION),
                    TrainingSpec::allreduceEncryption)
            .byDefault(AllReduceEncryption.AUTO)
            .absentFromOlderJsonIsTheDefault()
            .doc("`auto`, `true`, `false`",
                    "whether every frame of the TCP ring all-reduce and of the driver's rendezvous after the"
                    + " handshake is encrypted and authenticated (AES-GCM, keys per connection from the handshake)."
                    + " `auto`: when the Spark application encrypts (`spark.network.crypto.enabled` or"
                    + " `spark.ssl.enabled`, or `spark.dptrain.allreduce.encryption=true`); see Security")
            .declare();

    private TrainingKeys() {
    }

    private static TrainingSpec build(SpecValues values) {
        if (values.source() == SpecValues.Source.CANONICAL_JSON) {
            values.get(OPTIMIZER); // canonical JSON has always been checked optimizer first
        }
        return new TrainingSpec(values.get(WORKERS), values.get(BATCH_SIZE), values.get(EPOCHS), values.get(SEED),
                values.get(OPTIMIZER), values.get(EPOCH_RETRIES), values.get(COLLECTIVE_TIMEOUT_SECONDS),
                values.get(AVERAGING), values.get(AVERAGING_FREQUENCY), values.get(AVERAGE_UPDATER_STATE),
                values.get(ON_DIVERGENCE), values.get(DEVICE), values.get(ALLREDUCE_ENCRYPTION));
    }
}
