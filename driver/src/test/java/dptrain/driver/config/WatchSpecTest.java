package dptrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code early_stopping} and {@code monitoring} sections: defaults, modes, and every rejection. */
class WatchSpecTest {

    @Test
    void earlyStoppingIsOffWithoutItsSectionAndTakesDefaultsWithIt() {
        assertNull(Specs.parse(Specs.MINIMAL).earlyStopping());
        assertNull(Specs.parse(Specs.MINIMAL, "early_stopping=").earlyStopping());
        EarlyStoppingSpec spec = Specs.parse(Specs.MINIMAL, "early_stopping.metric=val_accuracy").earlyStopping();
        assertEquals(new EarlyStoppingSpec(StopMetric.VAL_ACCURACY, 3, 0.0, StopMode.AUTO), spec);
        assertEquals(new MonitoringSpec(0, 256), Specs.parse(Specs.MINIMAL).monitoring());
    }

    @Test
    void autoModeMinimisesLossesAndErrorsAndMaximisesAccuracyAndR2() {
        assertTrue(new EarlyStoppingSpec(StopMetric.VAL_LOSS, 1, 0, StopMode.AUTO).minimise());
        assertTrue(new EarlyStoppingSpec(StopMetric.TRAIN_LOSS, 1, 0, StopMode.AUTO).minimise());
        assertTrue(new EarlyStoppingSpec(StopMetric.VAL_MAE, 1, 0, StopMode.AUTO).minimise());
        assertTrue(new EarlyStoppingSpec(StopMetric.VAL_MSE, 1, 0, StopMode.AUTO).minimise());
        assertFalse(new EarlyStoppingSpec(StopMetric.VAL_ACCURACY, 1, 0, StopMode.AUTO).minimise());
        assertFalse(new EarlyStoppingSpec(StopMetric.VAL_R2, 1, 0, StopMode.AUTO).minimise());
        assertFalse(new EarlyStoppingSpec(StopMetric.VAL_LOSS, 1, 0, StopMode.MAX).minimise());
    }

    static Stream<Arguments> badOverrides() {
        return Stream.of(
                arguments(new String[] {"early_stopping.patience=2"},
                        "early_stopping.metric: required; allowed: val_loss, val_accuracy, val_r2, val_mse, val_mae, "
                                + "train_loss"),
                arguments(new String[] {"early_stopping.metric=val_acc"},
                        "early_stopping.metric: unknown value 'val_acc'; allowed: val_loss, val_accuracy, val_r2, "
                                + "val_mse, val_mae, train_loss"),
                arguments(new String[] {"early_stopping.metric=val_r2"},
                        "early_stopping.metric: val_r2 is not computed for a classification job; allowed: "
                                + "val_loss, val_accuracy, train_loss"),
                arguments(new String[] {"model.layers[1].loss=mse", "model.layers[1].activation=identity",
                        "early_stopping.metric=val_accuracy"},
                        "early_stopping.metric: val_accuracy is not computed for a regression job; allowed: "
                                + "val_loss, val_r2, val_mse, val_mae, train_loss"),
                arguments(new String[] {"data.validation_fraction=0", "early_stopping.metric=val_loss"},
                        "early_stopping.metric: val_loss needs a validation split, but data.validation_fraction is 0;"
                                + " use train_loss or a fraction > 0"),
                arguments(new String[] {"early_stopping.metric=val_loss", "early_stopping.patience=0"},
                        "early_stopping.patience: expected a positive integer, got 0"),
                arguments(new String[] {"early_stopping.metric=val_loss", "early_stopping.min_delta=-0.1"},
                        "early_stopping.min_delta: must be >= 0, got -0.1"),
                arguments(new String[] {"early_stopping.metric=val_loss", "early_stopping.mode=lowest"},
                        "early_stopping.mode: unknown value 'lowest'; allowed: auto, min, max"),
                arguments(new String[] {"early_stopping.metric=val_loss", "early_stopping.patients=2"},
                        "unknown key 'early_stopping.patients' (did you mean 'early_stopping.patience'?)"),
                arguments(new String[] {"early_stopping=true"},
                        "early_stopping: expected a mapping with keys metric, patience, min_delta, mode, got true"),
                arguments(new String[] {"monitoring.probe_rows=-1"},
                        "monitoring.probe_rows: expected a non-negative integer, got -1"),
                arguments(new String[] {"monitoring.log_every_iterations=2.5"},
                        "monitoring.log_every_iterations: expected a non-negative integer, got 2.5"),
                arguments(new String[] {"training.on_divergence=retry"},
                        "training.on_divergence: unknown value 'retry'; allowed: stop, rollback"),
                arguments(new String[] {"monitoring.log_every=5"},
                        "unknown key 'monitoring.log_every'; allowed: log_every_iterations, probe_rows"));
    }

    @ParameterizedTest
    @MethodSource("badOverrides")
    void badValuesFailWithOneLine(String[] overrides, String message) {
        SpecException error = assertThrows(SpecException.class, () -> Specs.parse(Specs.MINIMAL, overrides));
        assertEquals(message, error.getMessage());
    }

    @Test
    void divergenceStopsUnlessRollbackIsAskedFor() {
        assertEquals(OnDivergence.STOP, Specs.parse(Specs.MINIMAL).training().onDivergence());
        assertEquals(OnDivergence.ROLLBACK,
                Specs.parse(Specs.MINIMAL, "training.on_divergence=rollback").training().onDivergence());
    }

    @Test
    void trainLossNeedsNoValidationSplit() {
        EarlyStoppingSpec spec = Specs.parse(Specs.MINIMAL, "data.validation_fraction=0",
                "early_stopping.metric=train_loss").earlyStopping();
        assertEquals(StopMetric.TRAIN_LOSS, spec.metric());
    }

    @Test
    void specJsonOfAnOlderCheckpointWithoutTheSectionsReadsAsOff() {
        String json = SpecJson.toJson(Specs.parse(Specs.MINIMAL, "training.on_divergence=rollback"))
                .replace(",\"early_stopping\":null", "")
                .replace(",\"monitoring\":{\"log_every_iterations\":0,\"probe_rows\":256}", "")
                .replace(",\"on_divergence\":\"rollback\"", "");
        assertFalse(json.contains("on_divergence"), json);
        JobSpec back = SpecJson.fromJson(json);
        assertEquals(OnDivergence.STOP, back.training().onDivergence());
        assertNull(back.earlyStopping());
        assertEquals(new MonitoringSpec(0, 0), back.monitoring());
    }
}
