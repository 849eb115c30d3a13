package dptrain.driver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dptrain.worker.step.StepSettings;
import org.junit.jupiter.api.Test;

/** A request never falls back on a default that changes the training: what a front end must give, it must give. */
class TrainingRequestTest {

    private static TrainingRequest.Builder allButStep() {
        return new TrainingRequest.Builder("test", "{}", null, 2).seed(1).batchSize(8).epochs(1).epochRetries(0)
                .collectiveTimeoutSeconds(30).learningRate((iteration, epoch) -> 0.1);
    }

    @Test
    void aMissingStepSettingIsRefusedNotDefaulted() {
        assertEquals("step: not set; every front end gives it",
                assertThrows(IllegalStateException.class, () -> allButStep().build()).getMessage());
        assertEquals("seed: not set; every front end gives it", assertThrows(IllegalStateException.class,
                () -> new TrainingRequest.Builder("test", "{}", null, 2).step(StepSettings.DEFAULT).build())
                .getMessage());
    }
}
