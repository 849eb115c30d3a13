package dptrain.driver.checkpoint;

import dptrain.driver.loop.EpochEnd;
import dptrain.driver.loop.TrainingListener;
import java.time.Instant;

/** Writes a checkpoint after every epoch. */
public final class CheckpointListener implements TrainingListener {

    private final Checkpointer checkpointer;
    private final String configurationJson;
    private final String specJson;
    private final long seed;
    private final String version;

    public CheckpointListener(Checkpointer checkpointer, String configurationJson, String specJson, long seed,
                              String version) {
        this.checkpointer = checkpointer;
        this.configurationJson = configurationJson;
        this.specJson = specJson;
        this.seed = seed;
        this.version = version;
    }

    @Override
    public void onEpochEnd(EpochEnd event) {
        checkpointer.write(new Checkpoint(event.state(), configurationJson, specJson, seed,
                Instant.now().toString(), version));
    }
}
