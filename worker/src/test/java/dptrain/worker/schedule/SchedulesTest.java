package dptrain.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.worker.step.Momentum;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import dptrain.worker.testing.TinyNetworks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/** Each schedule's rate at chosen iterations, worked out by hand, and its trip through DL4J's JSON. */
class SchedulesTest {

    private static final double EXACT = 1e-15;

    @Test
    void constant() {
        ISchedule schedule = new ConstantRate(0.01);
        assertEquals(0.01, schedule.valueAt(0, 0));
        assertEquals(0.01, schedule.valueAt(123_456, 7));
    }

    @Test
    void stepDecayDropsByGammaEveryStepSize() {
        ISchedule schedule = new StepDecay(0.1, 10, 0.5);
        assertEquals(0.1, schedule.valueAt(0, 0));
        assertEquals(0.1, schedule.valueAt(9, 0));
        assertEquals(0.05, schedule.valueAt(10, 0));
        assertEquals(0.05, schedule.valueAt(19, 0));
        assertEquals(0.025, schedule.valueAt(25, 0));
    }

    @Test
    void exponentialDecayPerIteration() {
        ISchedule schedule = new ExponentialDecay(0.1, 0.99);
        assertEquals(0.1, schedule.valueAt(0, 0));
        assertEquals(0.099, schedule.valueAt(1, 0), EXACT);
        assertEquals(0.03660323412732292, schedule.valueAt(100, 0), EXACT);
    }

    @Test
    void cosineAnnealsToTheMinimumAndStays() {
        ISchedule schedule = new CosineDecay(0.1, 100, 0.001);
        assertEquals(0.1, schedule.valueAt(0, 0), EXACT);
        assertEquals(0.0855017856687341, schedule.valueAt(25, 0), EXACT);
        assertEquals(0.0505, schedule.valueAt(50, 0), EXACT);
        assertEquals(0.001, schedule.valueAt(100, 0), EXACT);
        assertEquals(0.001, schedule.valueAt(150, 0), EXACT);
    }

    @Test
    void cosineRestartsWithCyclesThatDouble() {
        // cycles [0, 10), [10, 30), [30, 70)
        ISchedule schedule = new CosineRestarts(0.1, 10, 2, 0);
        assertEquals(0.1, schedule.valueAt(0, 0), EXACT);
        assertEquals(0.05, schedule.valueAt(5, 0), EXACT);
        assertEquals(0.1, schedule.valueAt(10, 0), EXACT);
        assertEquals(0.07269952498697733, schedule.valueAt(17, 0), EXACT);
        assertEquals(0.05, schedule.valueAt(20, 0), EXACT);
        assertEquals(0.1, schedule.valueAt(30, 0), EXACT);
        assertEquals(0.05, schedule.valueAt(50, 0), EXACT);
    }

    @Test
    void cosineRestartsWithEqualCycles() {
        ISchedule schedule = new CosineRestarts(0.1, 10, 1, 0);
        assertEquals(0.05, schedule.valueAt(5, 0), EXACT);
        assertEquals(0.1, schedule.valueAt(10, 0), EXACT);
        assertEquals(0.05, schedule.valueAt(1_000_005, 0), EXACT);
    }

    @Test
    void linearWarmupRisesFromZeroThenHandsOver() {
        ISchedule schedule = new LinearWarmup(5, new CosineDecay(0.1, 100, 0));
        assertEquals(0.0, schedule.valueAt(0, 0));
        assertEquals(0.02, schedule.valueAt(1, 0), EXACT);
        assertEquals(0.08, schedule.valueAt(4, 0), EXACT);
        assertEquals(0.1, schedule.valueAt(5, 0), EXACT);
        assertEquals(0.05, schedule.valueAt(55, 0), EXACT);
        assertEquals(0.0, schedule.valueAt(105, 0), EXACT);
    }

    @Test
    void scaledMultipliesAnySchedule() {
        ISchedule schedule = new ScaledSchedule(0.5, new StepDecay(0.1, 10, 0.5));
        assertEquals(0.05, schedule.valueAt(0, 0), EXACT);
        assertEquals(0.025, schedule.valueAt(10, 0), EXACT);
        assertEquals(new ScaledSchedule(0.25, new StepDecay(0.1, 10, 0.5)), ScaledSchedule.of(schedule, 0.5));
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals("stepSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new StepDecay(0.1, 0, 0.5)).getMessage());
        assertEquals("warmupIterations must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(0, new ConstantRate(1)))
                        .getMessage());
    }

    /**
     * The schedules travel inside the configuration JSON that executors rebuild the network from,
     * and DL4J's updater then reads the rate from them at the global iteration.
     */
    @Test
    void schedulesSurviveTheConfigurationJsonAndDriveTheUpdater() {
        ISchedule[] schedules = {new ConstantRate(0.01), new StepDecay(0.1, 10, 0.5), new ExponentialDecay(0.1, 0.99),
            new CosineDecay(0.1, 100, 0.001), new CosineRestarts(0.1, 10, 2, 0),
            new LinearWarmup(5, new CosineRestarts(0.1, 10, 2, 0.01)),
            new ScaledSchedule(0.5, new LinearWarmup(3, new StepDecay(0.2, 4, 0.1)))};
        for (ISchedule schedule : schedules) {
            for (IUpdater updater : new IUpdater[] {new Adam(schedule), momentum(schedule)}) {
                String json = TinyNetworks.classifier(updater, 0, 1);
                MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
                IUpdater read = ((BaseLayer) back.getConf(0).getLayer()).getIUpdater();
                assertEquals(updater, read, schedule.toString());
                Network net = NetworkState.initial(json).restore(json);
                for (int iteration : new int[] {0, 3, 7, 17, 60}) {
                    assertEquals(schedule.valueAt(iteration, 0), net.learningRate(iteration, 0), EXACT,
                            schedule + " at " + iteration);
                }
            }
        }
    }

    private static IUpdater momentum(ISchedule schedule) {
        Momentum momentum = new Momentum(0.1, 0.9);
        momentum.setLrAndSchedule(0.1, schedule);
        return momentum;
    }
}
