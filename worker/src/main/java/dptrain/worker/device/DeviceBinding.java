package dptrain.worker.device;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the device decision at the start of every Spark task: ND4J's CUDA backend binds a
 * <em>thread</em> to a device, and Spark runs each task on a pool thread, so the binding is
 * repeated per task ({@code Nd4j.getAffinityManager().unsafeSetDevice}). Must run before the task
 * creates its first INDArray.
 *
 * <p>The mode comes from the task's local property {@value #TASK_PROPERTY} (the driver sets it with
 * {@code SparkContext.setLocalProperty} from the spec's {@code training.device}), else from the
 * Spark conf {@value #SPARK_CONF_KEY}, else {@code auto}; {@code auto} on the CPU build never runs
 * {@code nvidia-smi}, so CPU jobs behave exactly as before.
 */
public final class DeviceBinding {

    /** Task-local property carrying the mode from the driver ({@code sc.setLocalProperty}). */
    public static final String TASK_PROPERTY = "dptrain.training.device";
    /** Spark conf key that sets the mode for a whole application (e.g. {@code --conf} on spark-submit). */
    public static final String SPARK_CONF_KEY = "spark.dptrain.training.device";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceBinding.class);
    private static final Object LOCK = new Object();
    private static List<GpuInfo> hostGpus;
    private static String lastLogged;

    /** What the binding needs from ND4J; the real one is {@link #ND4J}, tests pass a fake. */
    interface Runtime {
        Backend backend();

        /** Class name of the backend ND4J actually loaded (this loads it). */
        String loadedBackend();

        void bindCurrentThread(int cudaOrdinal);
    }

    static final Runtime ND4J = new Runtime() {
        @Override
        public Backend backend() {
            return Backend.onClasspath();
        }

        @Override
        public String loadedBackend() {
            return Nd4j.getBackend().getClass().getName();
        }

        @Override
        public void bindCurrentThread(int cudaOrdinal) {
            Nd4j.getAffinityManager().unsafeSetDevice(cudaOrdinal);
        }
    };

    private DeviceBinding() {
    }

    /**
     * Decides and binds the device of the running task; a null context (code run outside Spark)
     * is treated as a task without GPU assignment in mode {@code auto}.
     *
     * @throws DeviceUnavailableException when the task must not train (one line saying why)
     */
    public static DeviceDecision bindForTask(TaskContext context) {
        DeviceMode mode = modeOf(context);
        Map<String, ResourceInformation> resources = context == null ? Map.of() : context.resourcesJMap();
        return bindForTask(resources, mode, context == null ? 0 : context.partitionId());
    }

    /**
     * Decides and binds with an explicit mode.
     *
     * @param resources   the task's resources ({@code TaskContext.resourcesJMap()}), may lack "gpu"
     * @param taskOrdinal the task's partition id (spreads tasks over GPUs when Spark assigned none)
     */
    public static DeviceDecision bindForTask(Map<String, ResourceInformation> resources, DeviceMode mode,
                                             int taskOrdinal) {
        ResourceInformation gpu = resources.get("gpu");
        List<String> addresses = gpu == null ? List.of() : List.of(gpu.addresses());
        Backend backend = ND4J.backend();
        DeviceSelector selector = new DeviceSelector(DeviceBinding::hostGpus, backend,
                System.getenv("CUDA_VISIBLE_DEVICES"));
        return apply(selector.select(mode, addresses, taskOrdinal), mode, ND4J);
    }

    /** Carries out {@code decision} on this thread, or throws why it cannot be. */
    static DeviceDecision apply(DeviceDecision decision, DeviceMode mode, Runtime runtime) {
        Objects.requireNonNull(decision, "decision");
        if (decision instanceof DeviceDecision.Fail fail) {
            throw new DeviceUnavailableException(fail.message());
        }
        if (decision instanceof DeviceDecision.Cpu cpu) {
            if (runtime.backend() == Backend.CUDA) {
                // nd4j-cuda cannot compute on the CPU, and with a GPU present it is the backend ND4J loads.
                throw new DeviceUnavailableException(cpu.reason().replaceFirst("; training on CPU$", "")
                        + "; training on CPU needs the CPU jar dptrain.jar (dptrain-cuda.jar has only the CUDA backend)");
            }
            log(cpu.fallback(), "device: CPU (" + cpu.reason() + ")");
        } else if (decision instanceof DeviceDecision.Gpu use) {
            String loaded = runtime.loadedBackend();
            if (!Backend.CUDA_BACKEND_CLASS.equals(loaded)) {
                throw new DeviceUnavailableException(DeviceMode.KEY + "=" + mode.specValue() + " chose "
                        + use.gpu().describe() + ", but ND4J loaded " + loaded
                        + " instead of the CUDA backend; do not put nd4j-native beside dptrain-cuda.jar");
            }
            runtime.bindCurrentThread(use.cudaOrdinal());
            log(false, "device: " + use.gpu().describe() + ", compute capability " + use.gpu().capability()
                    + ", CUDA device " + use.cudaOrdinal() + " (" + use.reason() + ")");
        }
        return decision;
    }

    static DeviceMode modeOf(TaskContext context) {
        String value = context == null ? null : context.getLocalProperty(TASK_PROPERTY);
        if (value == null && SparkEnv.get() != null) {
            value = SparkEnv.get().conf().get(SPARK_CONF_KEY, null);
        }
        return value == null ? DeviceMode.AUTO : DeviceMode.parse(value);
    }

    /** nvidia-smi runs once per executor JVM (a successful answer is kept; GPUs do not come and go). */
    private static List<GpuInfo> hostGpus() {
        synchronized (LOCK) {
            if (hostGpus == null) {
                hostGpus = new NvidiaSmiInventory().gpus();
            }
            return hostGpus;
        }
    }

    /** One line per change of decision in this JVM, not one per task. */
    private static void log(boolean warn, String line) {
        synchronized (LOCK) {
            if (line.equals(lastLogged)) {
                LOG.debug(line);
                return;
            }
            lastLogged = line;
        }
        if (warn) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    /** The task cannot train on the device its spec asks for; the message is the one line to show. */
    public static final class DeviceUnavailableException extends IllegalStateException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
