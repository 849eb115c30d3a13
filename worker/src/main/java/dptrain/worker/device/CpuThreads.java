package dptrain.worker.device;

import java.util.OptionalInt;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many threads ND4J (libnd4j's OpenMP) and OpenBLAS use on the CPU backend: the CPUs Spark
 * gave the task ({@code spark.task.cpus}), unless {@code OMP_NUM_THREADS} says otherwise.
 *
 * <p>Why: left alone, both size their thread pools to every core of the machine, in every JVM and
 * for every task. With Spark running as many training tasks on an executor as it has cores (local
 * mode: {@code local[N]}, N tasks in one JVM), each task's products then spread over all cores, the
 * threads of the tasks wait for each other's cores, and an epoch of the Fashion-MNIST MLP with two
 * workers on the 2-core build machine took 6–7 s instead of 1 s. Spark's own setting of how many
 * cores a task may use is the one a Spark user sets and expects to be honoured; the deploy scripts,
 * which run one task per executor, already set {@code OMP_NUM_THREADS} to the executor's cores.
 */
public final class CpuThreads {

    private static final Logger LOG = LoggerFactory.getLogger(CpuThreads.class);

    private CpuThreads() {
    }

    /**
     * The thread count a task should use: empty when {@code OMP_NUM_THREADS} is set (ND4J and
     * OpenBLAS read it themselves at start-up), else the task's CPUs (at least one).
     */
    static OptionalInt forTask(String ompNumThreads, int taskCpus) {
        if (ompNumThreads != null && !ompNumThreads.isBlank()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Math.max(1, taskCpus));
    }

    /** Applies {@link #forTask} for a task with {@code taskCpus} CPUs, on the CPU backend only. */
    public static void useForTask(int taskCpus) {
        OptionalInt threads = forTask(System.getenv("OMP_NUM_THREADS"), taskCpus);
        if (threads.isPresent() && Nd4j.getEnvironment().isCPU()) {
            apply(threads.getAsInt());
        }
    }

    /**
     * Sets OpenBLAS's threads and libnd4j's master threads (its parallel loops) for the whole JVM;
     * cheap when already set. libnd4j caps its master threads at the thread count it read at start.
     */
    static synchronized void apply(int threads) {
        if (Nd4j.factory().blas().getMaxThreads() != threads
                || Nd4j.getEnvironment().maxMasterThreads() != Math.min(threads, Nd4j.getEnvironment().maxThreads())) {
            Nd4j.factory().blas().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            LOG.info("ND4J and OpenBLAS threads: {} (spark.task.cpus; set OMP_NUM_THREADS to choose)", threads);
        }
    }
}
