package dptrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.worker.step.Averaging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optimisation keys: optimizers, weight decay, clipping, schedules, averaging. */
class OptimisationSpecTest {

    @ParameterizedTest
    @CsvSource({
            "adamw,   0.001, 0.01",
            "adagrad, 0.01,  0.0",
            "adam,    0.001, 0.0",
            "sgd,     0.01,  0.0"})
    void newOptimizersHaveTheirDefaults(String type, double learningRate, double weightDecay) {
        OptimizerSpec optimizer = Specs.parse(Specs.MINIMAL, "training.optimizer.type=" + type).training().optimizer();
        assertEquals(new OptimizerSpec(Spelling.OPTIMIZER_TYPE.parse(type), learningRate, 0.9, 0.9, 0.999, 1e-8, 0.95,
                weightDecay, 0, 0, ScheduleSpec.CONSTANT), optimizer);
    }

    @Test
    void weightDecayAndClippingAreRead() {
        OptimizerSpec optimizer = Specs.parse(Specs.MINIMAL, "training.optimizer.type=adamw",
                "training.optimizer.weight_decay=0.05", "training.optimizer.clip_norm=2.5").training().optimizer();
        assertEquals(0.05, optimizer.weightDecay());
        assertEquals(2.5, optimizer.clipNorm());
        assertEquals(0.0, optimizer.clipValue());
        assertEquals(0.25, Specs.parse(Specs.MINIMAL, "training.optimizer.clip_value=0.25").training().optimizer()
                .clipValue());
    }

    @Test
    void everyScheduleTypeReadsItsKeys() {
        assertEquals(new ScheduleSpec(ScheduleType.STEP, 0, 100, 0.1, 0, 0, 0, 0),
                schedule("{type: step, step_size: 100}"));
        assertEquals(new ScheduleSpec(ScheduleType.STEP, 10, 100, 0.5, 0, 0, 0, 0),
                schedule("{type: step_decay, step_size: 100, gamma: 0.5, warmup_iterations: 10}"));
        assertEquals(new ScheduleSpec(ScheduleType.EXPONENTIAL, 0, 0, 0.999, 0, 0, 0, 0),
                schedule("{type: exponential, gamma: 0.999}"));
        assertEquals(new ScheduleSpec(ScheduleType.COSINE, 500, 0, 0, 0, 0, 0, 0),
                schedule("{type: cosine, warmup_iterations: 500}"));
        assertEquals(new ScheduleSpec(ScheduleType.COSINE, 0, 0, 0, 3000, 1e-5, 0, 0),
                schedule("{type: cosine, decay_iterations: 3000, min_learning_rate: 1e-5}"));
        assertEquals(new ScheduleSpec(ScheduleType.COSINE_RESTARTS, 0, 0, 0, 0, 0, 200, 2),
                schedule("{type: sgdr, period: 200, period_multiplier: 2}"));
        assertEquals(new ScheduleSpec(ScheduleType.CONSTANT, 100, 0, 0, 0, 0, 0, 0),
                schedule("{warmup_iterations: 100}"));
    }

    @Test
    void cosineOverTheRestOfTheRunIsFixedWhenTheRunIsKnown() {
        ScheduleSpec schedule = schedule("{type: cosine, warmup_iterations: 50}");
        assertEquals(950, schedule.forRun(1000).decayIterations());
        assertEquals(300, schedule("{type: cosine, decay_iterations: 300}").forRun(1000).decayIterations());
        assertEquals(schedule("{type: step, step_size: 3}"), schedule("{type: step, step_size: 3}").forRun(1000));
    }

    @Test
    void averagingKeys() {
        TrainingSpec defaults = Specs.parse(Specs.MINIMAL).training();
        assertEquals(Averaging.Mode.GRADIENTS, defaults.averaging());
        assertEquals(1, defaults.averagingFrequency());
        TrainingSpec parameters = Specs.parse(Specs.MINIMAL, "training.averaging=parameters",
                "training.averaging_frequency=8", "training.average_updater_state=false").training();
        assertEquals(Averaging.Mode.PARAMETERS, parameters.averaging());
        assertEquals(8, parameters.averagingFrequency());
        assertEquals(false, parameters.averageUpdaterState());
    }

    @Test
    void everyOptimisationKeySurvivesTheSpecJson() {
        JobSpec spec = Specs.parse(Specs.MINIMAL, "training.optimizer.type=adamw", "training.optimizer.clip_value=0.5",
                "training.optimizer.schedule={type: cosine_restarts, warmup_iterations: 7, period: 30, "
                        + "period_multiplier: 3, min_learning_rate: 0.0001}",
                "training.averaging=parameters", "training.averaging_frequency=4",
                "training.average_updater_state=false");
        assertEquals(spec, SpecJson.fromJson(SpecJson.toJson(spec)));
    }

    /** Spec JSON written before the optimisation keys existed (in older checkpoints) reads as their defaults. */
    @Test
    void specJsonWithoutTheOptimisationKeysReadsAsTheirDefaults() {
        JobSpec spec = Specs.parse(Specs.MINIMAL);
        String old = SpecJson.toJson(spec)
                .replace(",\"weight_decay\":0.0,\"clip_norm\":0.0,\"clip_value\":0.0,\"schedule\":{\"type\":\"constant\","
                        + "\"warmup_iterations\":0,\"step_size\":0,\"gamma\":0.0,\"decay_iterations\":0,"
                        + "\"min_learning_rate\":0.0,\"period\":0,\"period_multiplier\":0}", "")
                .replace(",\"averaging\":\"gradients\",\"averaging_frequency\":1,\"average_updater_state\":true", "");
        assertEquals(false, old.contains("schedule") || old.contains("averaging"), old);
        assertEquals(spec, SpecJson.fromJson(old));
    }

    private static ScheduleSpec schedule(String yaml) {
        return Specs.parse(Specs.MINIMAL, "training.optimizer.schedule=" + yaml).training().optimizer().schedule();
    }
}
