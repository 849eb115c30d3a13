package dptrain.driver.checkpoint;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/** Reads checkpoints of a local directory, for tests. */
public final class CheckpointReader {

    private CheckpointReader() {
    }

    public static Checkpoint latest(Path dir) {
        return new Checkpointer(dir.toString(), Integer.MAX_VALUE, new Configuration()).latest()
                .orElseThrow(() -> new AssertionError("no checkpoint in " + dir));
    }

    /** One checkpoint file, e.g. {@code checkpoint-000002.dpt} or {@code best.dpt}. */
    public static Checkpoint file(Path file) {
        return new Checkpointer(file.getParent().toString(), Integer.MAX_VALUE, new Configuration())
                .read(new org.apache.hadoop.fs.Path(file.toUri()));
    }
}
