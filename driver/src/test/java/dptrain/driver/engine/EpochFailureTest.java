package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which failures stop at once and which are relaunched, through the real loop with a launcher
 * that throws what Spark 3.5 hands the driver: the text of {@code TaskSetManager},
 * {@code DAGScheduler} (a failed barrier task), {@code ClosureCleaner} and
 * {@code BarrierJobSlotsNumberCheckFailed}, with the task's exception as text after it.
 */
class EpochFailureTest {

    private static final int RETRIES = 2;
    /** How DAGScheduler aborts a barrier ResultStage when one task fails; the task's error follows. */
    private static final String BARRIER_ABORT = "Job aborted due to stage failure: Could not recover from a failed"
            + " barrier ResultStage. Most recent failure reason: Stage failed because barrier task ResultTask(3, 1)"
            + " finished unsuccessfully.\n";

    /** Counts launches; every launch fails with the same exception. */
    private static final class FailingLauncher implements EpochLauncher {
        final Exception failure;
        int launches;

        FailingLauncher(Exception failure) {
            this.failure = failure;
        }

        @Override
        public List<EpochReport> run(NetworkState start, int attempt, double scale) {
            launches++;
            // run declares no checked exception; the SparkException stays in the chain as the cause
            throw new RuntimeException(failure.getMessage(), failure);
        }
    }

    /** The line training stops with, and how many launches it took. */
    private record Stop(String line, int launches) {
    }

    private static Stop train(Exception failure) {
        FailingLauncher launcher = new FailingLauncher(failure);
        Trainer trainer = new Trainer(launcher, state -> EvaluationTotals.empty(2), (i, e) -> 0.1, RETRIES,
                List.of());
        TrainingFailedException stop = assertThrows(TrainingFailedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 2));
        return new Stop(stop.getMessage(), launcher.launches);
    }

    @Test
    void resultsOverMaxResultSizeStopAtOnceNamingTheSizeAndTheSetting() {
        Stop stop = train(new SparkException("Job aborted due to stage failure: Total size of serialized results of 2"
                + " tasks (1140.5 MiB) is bigger than spark.driver.maxResultSize (1024.0 MiB)"));

        assertEquals(new Stop("epoch 1 cannot finish: the ranks' results (1140.5 MiB) exceed spark.driver.maxResultSize"
                + " (1024.0 MiB); raise spark.driver.maxResultSize (e.g. --conf spark.driver.maxResultSize=2g)", 1),
                stop);
    }

    @Test
    void theSuggestedMaxResultSizeLeavesRoomAboveTheResults() {
        assertEquals(2, EpochFailure.suggestedGib("1140.5 MiB"));
        assertEquals(1, EpochFailure.suggestedGib("40.2 KiB"));
        assertEquals(3, EpochFailure.suggestedGib("2.1 GiB"));
        assertEquals(1, EpochFailure.suggestedGib("900 B"));
    }

    @Test
    void aRankOutOfHeapStopsAtOnceNamingTheMemorySetting() {
        Stop stop = train(new SparkException(BARRIER_ABORT + "java.lang.OutOfMemoryError: Java heap space\n"
                + "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n"
                + "\tat dptrain.worker.task.EpochRunner.run(EpochRunner.java:88)"));

        assertEquals(new Stop("epoch 1 cannot finish: a rank ran out of memory (java.lang.OutOfMemoryError: Java heap"
                + " space); raise spark.executor.memory (in local mode the driver's: DPTRAIN_DRIVER_MEMORY)", 1), stop);
    }

    @Test
    void anArrayOverTheJavaLimitSaysMemoryDoesNotHelp() {
        Stop stop = train(new SparkException(BARRIER_ABORT
                + "java.lang.OutOfMemoryError: Requested array size exceeds VM limit\n\tat java.base/x.y(Z.java:1)"));

        assertEquals(new Stop("epoch 1 cannot finish: a rank needed a Java array over 2 GiB"
                + " (java.lang.OutOfMemoryError: Requested array size exceeds VM limit); more memory does not help,"
                + " a smaller model does", 1), stop);
    }

    @Test
    void aTaskThatCannotBeSerializedStopsAtOnceNamingTheClass() {
        // ClosureCleaner.ensureSerializable, on the driver, before any task runs
        Stop stop = train(new SparkException("Task not serializable",
                new NotSerializableException("dptrain.driver.engine.SomeListener")));

        assertEquals(new Stop("epoch 1 cannot run: Spark cannot serialize class dptrain.driver.engine.SomeListener"
                + " (java.io.NotSerializableException), which the epoch's task or result carries; a build error that"
                + " no setting fixes", 1), stop);
    }

    @Test
    void aResultThatCannotBeSerializedStopsAtOnceNamingTheClass() {
        // TaskSetManager.handleFailedTask for an ExceptionFailure of NotSerializableException
        Stop stop = train(new SparkException("Job aborted due to stage failure: Task 1.0 in stage 4.0 (TID 9) had a"
                + " not serializable result: org.nd4j.linalg.cpu.nativecpu.NDArray\nSerialization stack:\n"
                + "\t- object not serializable (class: org.nd4j.linalg.cpu.nativecpu.NDArray, value: [1.0])"));

        assertEquals("epoch 1 cannot run: Spark cannot serialize class org.nd4j.linalg.cpu.nativecpu.NDArray"
                + " (java.io.NotSerializableException), which the epoch's task or result carries; a build error that"
                + " no setting fixes", stop.line());
        assertEquals(1, stop.launches());
    }

    @Test
    void aClassTheExecutorsLackStopsAtOnceNamingTheClass() {
        Stop stop = train(new SparkException(BARRIER_ABORT + "java.lang.ClassNotFoundException:"
                + " dptrain.worker.task.BarrierEpochFunction\n"
                + "\tat java.base/jdk.internal.loader.BuiltinClassLoader.loadClass(BuiltinClassLoader.java:641)"));

        assertEquals(new Stop("epoch 1 cannot run: the executors cannot load class"
                + " dptrain.worker.task.BarrierEpochFunction (java.lang.ClassNotFoundException); a deployment error:"
                + " run the executors on the same dptrain.jar as the driver (deploy/submit.sh ships it)", 1), stop);
    }

    @Test
    void aClassMissingAtLinkTimeIsNamedWithDots() {
        Stop stop = train(new SparkException(BARRIER_ABORT
                + "java.lang.NoClassDefFoundError: org/nd4j/linalg/factory/Nd4j\n\tat dptrain.worker.x(X.java:1)"));

        assertEquals(new Stop("epoch 1 cannot run: the executors cannot load class org.nd4j.linalg.factory.Nd4j"
                + " (java.lang.NoClassDefFoundError); a deployment error: run the executors on the same dptrain.jar as"
                + " the driver (deploy/submit.sh ships it)", 1), stop);
    }

    @Test
    void anotherVersionOfAClassOnTheExecutorsStopsAtOnce() {
        Stop stop = train(new SparkException(BARRIER_ABORT + "java.io.InvalidClassException:"
                + " dptrain.worker.task.EpochPlan; local class incompatible: stream classdesc serialVersionUID = 1,"
                + " local class serialVersionUID = 2\n\tat java.base/java.io.ObjectStreamClass.initNonProxy(x)"));

        assertEquals(new Stop("epoch 1 cannot run: the executors have another version of class"
                + " dptrain.worker.task.EpochPlan (java.io.InvalidClassException: local class incompatible); a"
                + " deployment error: run the executors on the same dptrain.jar as the driver (deploy/submit.sh"
                + " ships it)", 1), stop);
    }

    @Test
    void tooFewSlotsAfterSparkStoppedWaitingStopsAtOnce() {
        // BarrierJobSlotsNumberCheckFailed: executors lost between epochs and not replaced
        Stop stop = train(new SparkException("[SPARK-24819]: Barrier execution mode does not allow run a barrier stage"
                + " that requires more slots than the total number of slots in the cluster currently. Please init a"
                + " new cluster with more resources(e.g. CPU, GPU) or repartition the input RDD(s) to reduce the"
                + " number of slots required to run this barrier stage."));

        assertEquals(new Stop("epoch 1 cannot run: the cluster now has fewer task slots than training.workers, and"
                + " Spark stopped waiting for more (spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures);"
                + " add executors or lower training.workers, then resume from the checkpoint", 1), stop);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ExecutorLostFailure (executor 1 exited caused by one of the running tasks) Reason: Remote RPC client"
                + " disassociated. Likely due to containers exceeding thresholds, or network issues.",
        "dptrain.worker.collective.CollectiveException: rank 1: timed out after 60000 ms waiting for an authenticated"
                + " connection from predecessor rank 0 (0 connection(s) rejected)\n\tat x.y(Z.java:1)",
        "java.net.SocketException: Connection reset\n\tat java.base/sun.nio.ch.NioSocketImpl.implRead(x)",
        "dptrain.worker.collective.CollectiveException: rank 0: peer rank 1 at 10.0.0.2:4100 failed authentication"
                + " (different secret, session tag or encryption setting)\n\tat x.y(Z.java:1)",
        "FetchFailed(BlockManagerId(2, 10.0.0.3, 7337, None), shuffleId=0, mapIndex=1, mapId=5, reduceId=1,"
                + " message=\norg.apache.spark.shuffle.FetchFailedException: Connection reset by peer",
        "java.lang.IllegalStateException: something no one has seen before"})
    void transientAndUnknownFailuresAreRelaunchedAsBefore(String taskError) {
        Stop stop = train(new SparkException(BARRIER_ABORT + taskError));

        assertEquals(1 + RETRIES, stop.launches());
        assertEquals("epoch 1 failed after 3 attempts: Job aborted due to stage failure: Could not recover from a"
                + " failed barrier ResultStage. Most recent failure reason: Stage failed because barrier task"
                + " ResultTask(3, 1) finished unsuccessfully.", stop.line());
    }

    @Test
    void theDeviceLineIsKeptAndWinsOverTheRest() {
        Stop stop = train(new SparkException(BARRIER_ABORT + "dptrain.worker.device.DeviceBinding"
                + "$DeviceUnavailableException: training.device is gpu, but this executor has no CUDA GPU\n"
                + "\tat x.y(Z.java:1)\nCaused by: java.lang.OutOfMemoryError: Java heap space"));

        assertEquals(new Stop("epoch 1 cannot run: training.device is gpu, but this executor has no CUDA GPU", 1),
                stop);
    }
}
