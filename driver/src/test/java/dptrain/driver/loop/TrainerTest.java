package dptrain.driver.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochReport;
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
            return List.of(new EpochReport(0, end, 7, 50.0, 100, 10, 900, 100, EpochStatistics.none()),
                    new EpochReport(1, null, 7, 50.0, 100, 10, 800, 200, EpochStatistics.none()));
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
        assertEquals(0.2, recorder.events.get(0).allReduceShare(), 1e-12, "the slowest rank's share");
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
                        EpochStatistics.none()),
                new EpochReport(1, null, 8, 1, 1, 1, 1, 0, EpochStatistics.none()));
        Trainer trainer = new Trainer(diverged, state -> NO_VALIDATION, (i, e) -> 0.1, 0, List.of());

        TrainingFailedException failure = assertThrows(TrainingFailedException.class,
                () -> trainer.train(new NetworkState(new float[] {0}, new float[0], 0, 0), 1));

        assertEquals("epoch 1 failed after 1 attempt: epoch 1: parameters of rank 1 differ from rank 0",
                failure.getMessage());
    }
}
