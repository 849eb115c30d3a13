package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
import dptrain.worker.task.DivergenceException;
import dptrain.worker.task.EpochStatistics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop's own behaviour, with a scripted launcher instead of Spark. */
class TrainerTest {

    private static final EvaluationTotals NO_VALIDATION = EvaluationTotals.empty(2);

    /** Pretends to train: the next state has epoch + 1; fails the attempts it is told to. */
    private static final class ScriptedLauncher implements EpochLauncher {
        final List<NetworkState> starts = new ArrayList<>();
        final List<Integer> attempts = new ArrayList<>();
        final int failuresPerEpoch;

        ScriptedLauncher(int failuresPerEpoch) {
            this.failuresPerEpoch = failuresPerEpoch;
        }

        @Override
        public List<EpochReport> run(NetworkState start, int attempt, double learningRateScale) {
            starts.add(start);
            attempts.add(attempt);
            if (attempt <= failuresPerEpoch) {
                throw new IllegalStateException("executor lost (attempt " + attempt + ")");
            }
            NetworkState end = new NetworkState(new float[] {start.epoch() + 1}, new float[0], start.iteration() + 10,
                    start.epoch() + 1);
            return List.of(new EpochReport(0, end, 7, 50.0, 100, 10, 900_000, 100_000, new float[] {30, 70},
                            EpochStatistics.none(), "1", "host-a"),
                    new EpochReport(1, null, 7, 50.0, 100, 10, 800_000, 200_000, new float[] {80, 120},
                            EpochStatistics.none(), "2", "host-b"));
        }
    }

    private static final class Recorder implements TrainingListener {
        final List<EpochEnd> events = new ArrayList<>();
        int firstEpoch;

        @Override
        public void onTrainingStart(int firstEpoch, int epochs) {
            this.firstEpoch = firstEpoch;
        }

        @Override
        public void onEpochEnd(EpochEnd event) {
            events.add(event);
        }
    }

    @Test
    void failedEpochIsRelaunchedFromItsStartState() {
        ScriptedLauncher launcher = new ScriptedLauncher(1);
        Recorder recorder = new Recorder();
        NetworkState start = new NetworkState(new float[] {0}, new float[0], 0, 0);

        NetworkState end = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 2, List.of(recorder))
                .train(start, 2);

        assertEquals(2, end.epoch());
        assertEquals(List.of(1, 2, 1, 2), launcher.attempts);
        assertSame(launcher.starts.get(0), launcher.starts.get(1), "the retry starts from the epoch-start state");
        assertSame(launcher.starts.get(2), launcher.starts.get(3));
        assertEquals(2, recorder.events.size());
        assertEquals(2, recorder.events.get(0).attempts());
        assertEquals(0.5, recorder.events.get(0).trainLoss(), 1e-12);
        assertEquals(0.2, recorder.events.get(0).allReduce().total(), 1e-12, "the slowest rank's share");
        assertEquals(0.1, recorder.events.get(0).allReduce().waiting(), 1e-9, "rank 0 arrived last at both calls");
        assertEquals(List.of("0 1 host-a", "1 2 host-b"), recorder.events.get(0).ranks().stream()
                .map(rank -> rank.rank() + " " + rank.executor() + " " + rank.host()).toList());
        assertEquals(0.1e-3, recorder.events.get(0).ranks().get(1).allReduceWaitSeconds(), 1e-12,
                "rank 1 waited 50 + 50 us");
        assertTrue(recorder.events.stream().allMatch(event -> event.slowRank().isEmpty()),
                "0.9 ms against 0.8 ms is not 20% slower");
    }

    @Test
    void epochThatFailsEveryAttemptStopsTrainingWithTheCause() {
        ScriptedLauncher launcher = new ScriptedLauncher(5);
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 2, List.of());

        TrainingFailedException failure = assertThrows(TrainingFailedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 3));

        assertEquals("epoch 1 failed after 3 attempts: executor lost (attempt 3)", failure.getMessage());
        assertEquals(3, launcher.attempts.size());
    }

    @Test
    void resumedRunStartsAtTheEpochAfterTheCheckpoint() {
        ScriptedLauncher launcher = new ScriptedLauncher(0);
        Recorder recorder = new Recorder();

        new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 0, List.of(recorder))
                .train(new NetworkState(new float[] {2}, new float[0], 20, 2), 4);

        assertEquals(3, recorder.firstEpoch);
        assertEquals(List.of(3, 4), recorder.events.stream().map(EpochEnd::epoch).toList());
        assertTrue(launcher.attempts.stream().allMatch(a -> a == 1));
    }

    @Test
    void ranksThatDisagreeFailTheEpoch() {
        EpochLauncher diverged = (start, attempt, scale) -> List.of(
                new EpochReport(0, new NetworkState(new float[] {1}, new float[0], 1, 1), 7, 1, 1, 1, 1, 0,
                        new float[0], EpochStatistics.none(), null, null),
                new EpochReport(1, null, 8, 1, 1, 1, 1, 0, new float[0], EpochStatistics.none(), null, null));
        Trainer trainer = new Trainer(diverged, state -> NO_VALIDATION, (i, e) -> 0.1, 0, List.of());

        TrainingFailedException failure = assertThrows(TrainingFailedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 1));

        assertEquals("epoch 1 failed after 1 attempt: epoch 1: parameters of rank 1 differ from rank 0",
                failure.getMessage());
    }

    /** Trains like {@link ScriptedLauncher}, but every launch of {@code epoch} diverges; records the scales. */
    private static final class DivergingLauncher implements EpochLauncher {
        final List<Double> scales = new ArrayList<>();
        final List<NetworkState> starts = new ArrayList<>();
        final int epoch;
        final int divergingLaunches;
        final ScriptedLauncher trains = new ScriptedLauncher(0);

        DivergingLauncher(int epoch, int divergingLaunches) {
            this.epoch = epoch;
            this.divergingLaunches = divergingLaunches;
        }

        @Override
        public List<EpochReport> run(NetworkState start, int attempt, double learningRateScale) {
            scales.add(learningRateScale);
            starts.add(start);
            if (start.epoch() + 1 == epoch && attempt <= divergingLaunches) {
                // as Spark hands it to the driver: wrapped, with the worker's exception as the cause
                throw new RuntimeException("Job aborted due to stage failure",
                        new DivergenceException(epoch, start.iteration() + 4, "loss is NaN"));
            }
            return trains.run(start, attempt, learningRateScale);
        }
    }

    private static final class Rollbacks implements TrainingListener {
        final List<Rollback> events = new ArrayList<>();

        @Override
        public void onRollback(Rollback event) {
            events.add(event);
        }
    }

    @Test
    void divergenceStopsAtOnceNamingEpochIterationAndTheLastGoodEpoch() {
        DivergingLauncher launcher = new DivergingLauncher(2, Integer.MAX_VALUE);
        Recorder recorder = new Recorder();
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 2, List.of(recorder));

        TrainingDivergedException error = assertThrows(TrainingDivergedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 3));

        assertEquals("training diverged at epoch 2, iteration 14: loss is NaN; the last good state is that of epoch 1,"
                + " its checkpoint is kept", error.getMessage());
        assertEquals(2, error.epoch());
        assertEquals(14, error.iteration());
        assertEquals(List.of(1.0, 1.0), launcher.scales, "deterministic: never relaunched as it was");
        assertEquals(1, recorder.events.size());
    }

    @Test
    void aTaskThatMayNotUseItsDeviceFailsAtOnceWithItsLine() {
        List<Integer> attempts = new ArrayList<>();
        EpochLauncher launcher = (start, attempt, scale) -> {
            attempts.add(attempt);
            throw new IllegalStateException("Job aborted due to stage failure: Task 1 in stage 2.0 failed 1 times: "
                    + "dptrain.worker.device.DeviceBinding$DeviceUnavailableException: GPU 0 (NVIDIA H100 80GB HBM3) has"
                    + " compute capability 9.0; the ND4J CUDA backend (nd4j-cuda-11.6 1.0.0-M2.1) runs on 3.7 to 8.9 only"
                    + " (Kepler to Ada); use training.device=cpu or auto with the CPU jar dptrain.jar\n\tat x");
        };
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 2, List.of());

        TrainingFailedException failure = assertThrows(TrainingFailedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 1));

        assertEquals("epoch 1 cannot run: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0; the ND4J CUDA"
                + " backend (nd4j-cuda-11.6 1.0.0-M2.1) runs on 3.7 to 8.9 only (Kepler to Ada); use training.device=cpu"
                + " or auto with the CPU jar dptrain.jar", failure.getMessage());
        assertEquals(List.of(1), attempts);
    }

    @Test
    void divergenceKnownOnlyByItsTextIsRecognised() {
        EpochLauncher launcher = (start, attempt, scale) -> {
            throw new IllegalStateException("Job aborted due to stage failure: Task 0 in stage 3.0 failed: "
                    + "dptrain.worker.task.DivergenceException: training diverged at epoch 1, iteration 6: gradient"
                    + " is infinite\n\tat dptrain.worker.task.EpochRunner.run(EpochRunner.java:60)");
        };
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 2, List.of());

        TrainingDivergedException error = assertThrows(TrainingDivergedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 1));

        assertEquals("training diverged at epoch 1, iteration 6: gradient is infinite; no epoch finished before it",
                error.getMessage());
    }

    @Test
    void rollbackHalvesTheLearningRateFromTheEpochStartAndKeepsTheScale() {
        DivergingLauncher launcher = new DivergingLauncher(2, 2);
        Recorder recorder = new Recorder();
        Rollbacks rollbacks = new Rollbacks();
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 0,
                DivergencePolicy.rollback(3), List.of(recorder, rollbacks));

        NetworkState end = trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 3);

        assertEquals(3, end.epoch());
        assertEquals(List.of(1.0, 1.0, 0.5, 0.25, 0.25), launcher.scales);
        assertEquals(List.of(0, 1, 1, 1, 2), launcher.starts.stream().map(NetworkState::epoch).toList());
        assertSame(launcher.starts.get(1), launcher.starts.get(3), "rolled back to the epoch-start state");
        assertEquals(List.of(0.1, 0.025, 0.025), recorder.events.stream().map(EpochEnd::learningRate).toList());
        assertEquals(List.of(1.0, 0.25, 0.25), recorder.events.stream().map(EpochEnd::learningRateScale).toList());
        assertEquals(3, recorder.events.get(1).attempts());
        assertEquals(List.of(new Rollback(2, 14, "training diverged at epoch 2, iteration 14: loss is NaN", 1, 0.5),
                new Rollback(2, 14, "training diverged at epoch 2, iteration 14: loss is NaN", 2, 0.25)),
                rollbacks.events);
    }

    @Test
    void rollbacksAreBoundedThenTrainingStops() {
        DivergingLauncher launcher = new DivergingLauncher(2, Integer.MAX_VALUE);
        Trainer trainer = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 0,
                DivergencePolicy.rollback(3), List.of());

        TrainingDivergedException error = assertThrows(TrainingDivergedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 3));

        assertEquals("training diverged at epoch 2, iteration 14: loss is NaN; still diverging after 3 rollbacks"
                + " (learning rate x0.125); the last good state is that of epoch 1, its checkpoint is kept",
                error.getMessage());
        assertEquals(List.of(1.0, 1.0, 0.5, 0.25, 0.125), launcher.scales);
    }

    @Test
    void aListenerThatAsksToStopEndsTrainingBeforeTheNextEpoch() {
        ScriptedLauncher launcher = new ScriptedLauncher(0);
        Recorder recorder = new Recorder();
        TrainingListener stopAfterTwo = new TrainingListener() {
            @Override
            public boolean stopRequested() {
                return recorder.events.size() >= 2;
            }
        };

        NetworkState end = new Trainer(launcher, state -> NO_VALIDATION, (i, e) -> 0.1, 0,
                List.of(recorder, stopAfterTwo)).train(new NetworkState(new float[] {0}, new float[0], 0, 0), 5);

        assertEquals(2, end.epoch());
        assertEquals(2, launcher.attempts.size());
    }
}
