package dptrain.driver.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.BuildVersion;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointListener;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.MonitoringSpec;
import dptrain.driver.config.OnDivergence;
import dptrain.driver.config.SpecJson;
import dptrain.driver.config.Task;
import dptrain.driver.config.TrainingSpec;
import dptrain.driver.data.PreparedData;
import dptrain.driver.engine.BarrierStages;
import dptrain.driver.engine.DistributedTrainer;
import dptrain.driver.engine.DivergencePolicy;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.TrainingListener;
import dptrain.driver.engine.TrainingRequest;
import dptrain.driver.engine.TrainingResult;
import dptrain.driver.network.NetworkFactory;
import dptrain.driver.report.ActivationProbe;
import dptrain.driver.report.MetricsLog;
import dptrain.driver.report.ModelCard;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.driver.report.ProgressLog;
import dptrain.driver.report.ReportHtml;
import dptrain.driver.stopping.EarlyStopping;
import dptrain.worker.device.DeviceBinding;
import dptrain.worker.step.NetworkState;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training job from a validated spec, translated into a request for the engine
 * ({@link DistributedTrainer}): check the output, read the data, build or resume the state; then
 * the engine runs the epochs, and listeners write {@code metrics.jsonl}, the checkpoints,
 * {@code model.zip}, {@code summary.json} (with the test evaluation) and {@code report.html}.
 * Everything that can be wrong with the input fails here before the first epoch, and nothing is
 * written to {@code output.dir} or {@code checkpoint.dir} before that.
 */
public final class TrainJob {

    private static final String VERSION = BuildVersion.current();
    public static final String SUMMARY_FILE = "summary.json";

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainJob() {
    }

    public static ObjectNode run(SparkSession spark, JobSpec spec) {
        return onDevice(spark, spec, () -> train(spark, spec, null).summary());
    }

    /**
     * Runs {@code job} with every task of it (epochs and evaluations) binding its device from the
     * spec (DeviceBinding); the caller's value (a notebook's, say) comes back afterwards.
     */
    static <T> T onDevice(SparkSession spark, JobSpec spec, Supplier<T> job) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String callersDevice = context.getLocalProperty(DeviceBinding.TASK_PROPERTY);
        context.setLocalProperty(DeviceBinding.TASK_PROPERTY, spec.training().device().specValue());
        try {
            return job.get();
        } finally {
            context.setLocalProperty(DeviceBinding.TASK_PROPERTY, callersDevice);
        }
    }

    /**
     * The whole run with what {@link RetrainJob} needs back: the input checked and read, the start
     * state found, then the engine trains and its listeners write what the run leaves behind.
     *
     * @param warm where to start from instead of a fresh network (with its normalisation, label and
     *             feature checks), or {@code null}
     */
    static TrainedRun train(SparkSession spark, JobSpec spec, WarmStart warm) {
        long begin = System.nanoTime();
        String specJson = SpecJson.toJson(spec);
        LOG.info("dptrain {} job spec: {}", VERSION, specJson);
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        BarrierStages.slotShortage(context, spec.training().workers()).ifPresent(shortage -> {
            throw new BadInputException("training.workers: " + shortage);
        });
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        OutputDirectory output = new OutputDirectory(spec.output().dir(), hadoop);
        output.checkWritable();
        Checkpointer checkpointer = new Checkpointer(spec.checkpoint().dir(), spec.checkpoint().keep(), hadoop);
        Resume resume = Resume.read(spec, checkpointer);
        RunInputs inputs = RunInputs.prepare(spark, spec, warm);
        String configuration = inputs.configuration();
        NetworkState start = warm != null ? warm.start(configuration) : resume.state(configuration);
        resume.checkBest(configuration);

        Task task = inputs.output().task();
        Function<EpochEnd, Checkpoint> checkpointOf = CheckpointListener.checkpoints(task, configuration, specJson,
                spec.training().seed(), VERSION);
        EarlyStopping stopping = spec.earlyStopping() == null ? null
                : new EarlyStopping(spec.earlyStopping(), task, checkpointer, checkpointOf, resume.best());
        RunSummary summary = new RunSummary(context, inputs, spec.training().workers(), spec.earlyStopping(),
                stopping, output, begin);
        TrainingRequest.Builder request = request(spec, inputs)
                .start(start, resume.learningRateScale())
                .listener(new MetricsLog(output, task, probe(spec.monitoring(), configuration, inputs.data())));
        if (stopping != null) {
            // the best epoch's state is the result: the model, the test metrics
            request.listener(stopping)
                    .result(last -> stopping.best().map(Checkpoint::state).orElse(last));
        }
        request.listener(new CheckpointListener(checkpointer, checkpointOf))
                .listener(new ProgressLog(task))
                .listener(ReportHtml.afterEachEpoch(output, VERSION, specJson))
                .listener(modelExport(output, spec, specJson, inputs.data(), task, warm))
                .listener(summary)
                .listener(report(output));
        TrainingResult result = DistributedTrainer.fit(request.build());
        return new TrainedRun(summary.summary(), inputs.data(), configuration, result.state(), task,
                inputs.output().classes(), inputs.output().binary());
    }

    /** The spec's training, as the engine takes it; the start and the listeners are the caller's. */
    private static TrainingRequest.Builder request(JobSpec spec, RunInputs inputs) {
        TrainingSpec training = spec.training();
        return new TrainingRequest.Builder("dptrain", inputs.configuration(), inputs.data().train(),
                training.workers())
                .validation(inputs.data().validation())
                .labels(inputs.output().classes(), inputs.output().binary())
                .seed(training.seed())
                .batchSize(training.batchSize())
                .epochs(training.epochs())
                .step(NetworkFactory.stepSettings(training, spec.monitoring().logEveryIterations()))
                .epochRetries(training.epochRetries())
                .collectiveTimeoutSeconds(training.collectiveTimeoutSeconds())
                .divergence(DivergencePolicy.of(training.onDivergence() == OnDivergence.ROLLBACK))
                .encryption(training.allreduceEncryption())
                .learningRate(inputs.updater()::getLearningRate);
    }

    /** {@code model.zip}: the result state as a DL4J model, with the model card. */
    private static TrainingListener modelExport(OutputDirectory output, JobSpec spec, String specJson,
                                                PreparedData data, Task task, WarmStart warm) {
        return new TrainingListener() {
            @Override
            public void onResult(TrainingResult result) {
                ModelExport.write(output, result.state().restore(result.configurationJson()).model(),
                        card(spec, specJson, data, task, result.state(), warm));
            }
        };
    }

    /** {@code report.html}, from the files written before it ({@code summary.json}, {@code model.zip}). */
    private static TrainingListener report(OutputDirectory output) {
        return new TrainingListener() {
            @Override
            public void onResult(TrainingResult result) {
                ReportHtml.write(output);
            }
        };
    }

    /** Activation statistics on the first rows of the validation split (of train without one). */
    private static ActivationProbe probe(MonitoringSpec monitoring, String configuration, PreparedData data) {
        if (monitoring.probeRows() == 0) {
            return null;
        }
        return ActivationProbe.firstRows(configuration, data.validationRows() > 0 ? data.validation() : data.train(),
                monitoring.probeRows());
    }

    /** The card of {@code model.zip}; {@code warm} (or {@code null}) is the registry version a retrain started from. */
    static ModelCard card(JobSpec spec, String specJson, PreparedData data, Task task, NetworkState end,
                          WarmStart warm) {
        JsonNode canonicalSpec;
        try {
            canonicalSpec = JSON.readTree(specJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelCard(ModelCard.FORMAT, VERSION, Instant.now(), task, spec.training().seed(), end.epoch(),
                end.iteration(), data.featureCount(), spec.data().train(), spec.data().format(), canonicalSpec, null,
                data.labelNames(), data.featureColumns(), data.scaling(), null, warm == null ? null : warm.version(),
                data.trainVersion());
    }
}
