package dptrain.driver.stopping;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.Checkpointer;
import dptrain.driver.config.EarlyStoppingSpec;
import dptrain.driver.config.StopMetric;
import dptrain.driver.config.StopMode;
import dptrain.driver.config.Task;
import dptrain.driver.engine.AllReduceShares;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.report.EvaluationMetrics;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochStatistics;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When early stopping counts an improvement, when it stops, and what it keeps, with scripted epochs. */
class EarlyStoppingTest {

    @TempDir
    Path dir;

    private Checkpointer checkpointer() {
        return new Checkpointer(dir.toString(), 100, new Configuration());
    }

    private static final Function<EpochEnd, Checkpoint> CHECKPOINT = event -> new Checkpoint(event.state(), "{}",
            "{}", 1, "2026-11-23T00:00:00Z", "test", 1.0, EvaluationMetrics.ofEpoch(event, Task.CLASSIFICATION));

    /** Feeds epochs with these training losses until the listener asks to stop; returns the epochs run. */
    private static int run(EarlyStopping stopping, int firstEpoch, double... losses) {
        stopping.onTrainingStart(firstEpoch, 10);
        int epoch = firstEpoch;
        for (double loss : losses) {
            if (stopping.stopRequested()) {
                break;
            }
            NetworkState state = new NetworkState(new float[] {epoch, (float) loss}, new float[0], epoch * 10, epoch);
            stopping.onEpochEnd(new EpochEnd(epoch, 10, loss, EvaluationTotals.empty(2), 0.1, 1, 1,
                    new AllReduceShares(0, 0), 1, state, 1.0, EpochStatistics.none(), List.of(), Optional.empty()));
            epoch++;
        }
        stopping.onTrainingEnd(new NetworkState(new float[0], new float[0], 0, epoch - 1));
        return epoch - firstEpoch;
    }

    @Test
    void anImprovementSmallerThanMinDeltaDoesNotCountAndPatienceEndsTraining() {
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(StopMetric.TRAIN_LOSS, 2, 0.01, StopMode.AUTO),
                Task.CLASSIFICATION, checkpointer(), CHECKPOINT, Optional.empty());

        int epochs = run(stopping, 1, 1.0, 0.8, 0.795, 0.81, 0.5, 0.4);

        assertEquals(4, epochs, "0.795 is not 0.01 better than 0.8; two epochs without improvement after epoch 2");
        assertEquals(2, stopping.bestEpoch());
        assertEquals(0.8, stopping.bestValue(), 0.0);
        assertTrue(stopping.stoppedEarly());
        Checkpoint best = checkpointer().best().orElseThrow();
        assertArrayEquals(new float[] {2, 0.8f}, best.state().params());
        assertEquals(0.8, best.metrics().get("train_loss"), 0.0);
    }

    @Test
    void modeMaxWantsTheMetricToRise() {
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(StopMetric.TRAIN_LOSS, 2, 0, StopMode.MAX),
                Task.CLASSIFICATION, checkpointer(), CHECKPOINT, Optional.empty());

        assertEquals(3, run(stopping, 1, 1.0, 0.8, 0.7, 0.6));
        assertEquals(1, stopping.bestEpoch());
    }

    @Test
    void runThatReachesItsLastEpochDidNotStopEarly() {
        EarlyStopping stopping = new EarlyStopping(new EarlyStoppingSpec(StopMetric.TRAIN_LOSS, 3, 0, StopMode.AUTO),
                Task.CLASSIFICATION, checkpointer(), CHECKPOINT, Optional.empty());

        assertEquals(10, run(stopping, 1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.25));
        assertEquals(9, stopping.bestEpoch());
        assertFalse(stopping.stoppedEarly());
    }

    @Test
    void resumedRunContinuesCountingFromTheStoredBest() {
        EarlyStoppingSpec spec = new EarlyStoppingSpec(StopMetric.TRAIN_LOSS, 2, 0, StopMode.AUTO);
        run(new EarlyStopping(spec, Task.CLASSIFICATION, checkpointer(), CHECKPOINT, Optional.empty()), 1,
                1.0, 0.5, 0.6);

        EarlyStopping resumed = new EarlyStopping(spec, Task.CLASSIFICATION, checkpointer(), CHECKPOINT,
                checkpointer().best());

        assertEquals(1, run(resumed, 4, 0.7, 0.1, 0.1), "one more epoch without improvement, then stop");
        assertEquals(2, resumed.bestEpoch());
        assertTrue(resumed.stoppedEarly());
    }
}
