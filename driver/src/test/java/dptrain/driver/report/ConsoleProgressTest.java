package dptrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.config.Task;
import dptrain.driver.engine.AllReduceShares;
import dptrain.driver.engine.EpochEnd;
import dptrain.driver.engine.SlowRank;
import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;
import dptrain.worker.task.EpochStatistics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The terminal's progress bar on a fake clock: what it says, and what it leaves on screen. */
class ConsoleProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final StringWriter screen = new StringWriter();
    private final AtomicLong now = new AtomicLong(1000 * SECOND);
    private final AtomicBoolean working = new AtomicBoolean(true);
    private final ConsoleProgress progress = new ConsoleProgress(new PrintWriter(screen), now::get, working::get);

    @Test
    void paceComesFromFinishedEpochsAndTheBarNeverCompletesAnEpochEarly() {
        progress.start(1, 4);
        now.addAndGet(5 * SECOND);
        assertEquals("epoch 1/4 [>                       ]   0% 0:05 ETA after epoch 1",
                progress.bar(now.get()));

        now.addAndGet(5 * SECOND);
        progress.epochEnd("epoch 1/4 train_loss=0.5000 val_accuracy=0.8000", 0.5, 1234.4);
        now.addAndGet(5 * SECOND);
        // 1.5 of 4 epochs at 10 s each: 37%, 25 s left.
        assertEquals("epoch 2/4 [=========>              ]  37% 0:15 ETA 0:25 loss 0.5000 1234 samples/s",
                progress.bar(now.get()));

        now.addAndGet(60 * SECOND); // epoch 2 is slow: the bar waits at 99% of it
        assertEquals("epoch 2/4 [===========>            ]  49% 1:15 ETA 0:00 loss 0.5000 1234 samples/s",
                progress.bar(now.get()));
    }

    @Test
    void finishedEpochsStayOnScreenAndTheBarIsClearedAtTheEnd() {
        progress.start(3, 4); // resumed after epoch 2: the bar counts this run's 2 epochs
        now.addAndGet(2 * SECOND);
        progress.redraw();
        now.addAndGet(2 * SECOND);
        progress.epochEnd("epoch 3/4 train_loss=0.4000", 0.4, 100);
        now.addAndGet(4 * SECOND);
        progress.epochEnd("epoch 4/4 train_loss=0.3000", 0.3, 100);
        progress.finish();

        String text = screen.toString();
        String bar = "epoch 3/4 [>                       ]   0% 0:02 ETA after epoch 3";
        assertTrue(text.startsWith("\repoch 3/4 [>                       ]   0% 0:00 ETA after epoch 3"
                + "\r\r" + bar + "\r"), text);
        // Each finished epoch's line covers the whole bar (padded to its length) and ends the line.
        String afterEpoch3 = "\r" + "epoch 3/4 train_loss=0.4000" + " ".repeat(bar.length() - 27) + "\n";
        assertTrue(text.contains(afterEpoch3), text);
        assertTrue(text.contains("epoch 4/4 [============>           ]  50% 0:04 ETA 0:04 loss 0.4000 100 samples/s"),
                text);
        // No bar after the last epoch: its line is the last thing on screen.
        assertTrue(text.endsWith("\repoch 4/4 train_loss=0.3000" + " ".repeat(
                "epoch 4/4 [============>           ]  50% 0:04 ETA 0:04 loss 0.4000 100 samples/s".length() - 27)
                + "\n"), text);
    }

    @Test
    void aSlowRankIsNamedOnALineOfItsOwnBelowTheEpochsLine() {
        ProgressLog log = new ProgressLog(Task.CLASSIFICATION, progress);
        log.onTrainingStart(1, 2);
        SlowRank slow = new SlowRank(1, "2", "10.0.0.2", 1.83, 3, 3);
        log.onEpochEnd(new EpochEnd(1, 2, 0.5, EvaluationTotals.empty(3), 0.1, 10, 100, new AllReduceShares(0.2, 0.1),
                1, new NetworkState(new float[] {1}, new float[0], 10, 1), 1.0, EpochStatistics.none(), List.of(),
                Optional.of(slow)));

        String text = screen.toString();
        String lines = "attempts=1 eta_seconds=10\n"
                + "slow rank: 1 (executor 2 on 10.0.0.2) computes 1.8x the others' median in 3 of the last 3 epochs\n";
        assertTrue(text.contains(lines), text);
        // the bar comes back below both
        assertTrue(text.substring(text.indexOf(lines) + lines.length()).startsWith("\repoch 2/2 ["), text);
    }

    @Test
    void aRunThatStoppedWorkingIsNotRedrawnOverItsErrorMessage() {
        progress.start(1, 2);
        int drawn = screen.toString().length();
        working.set(false);
        now.addAndGet(3 * SECOND);
        progress.redraw();
        assertEquals(drawn, screen.toString().length());
    }

    @Test
    void durationsReadAsMinutesOrHours() {
        assertEquals("0:00", ConsoleProgress.duration(0.4));
        assertEquals("1:05", ConsoleProgress.duration(65));
        assertEquals("1:00:00", ConsoleProgress.duration(3600));
        assertEquals("27:46:40", ConsoleProgress.duration(100_000));
    }
}
