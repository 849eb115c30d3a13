package dptrain.driver.checkpoint;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/** Reads the newest checkpoint of a local directory, for tests. */
public final class CheckpointReader {

    private CheckpointReader() {
    }

    public static Checkpoint latest(Path dir) {
        return new Checkpointer(dir.toString(), Integer.MAX_VALUE, new Configuration()).latest()
                .orElseThrow(() -> new AssertionError("no checkpoint in " + dir));
    }
}
