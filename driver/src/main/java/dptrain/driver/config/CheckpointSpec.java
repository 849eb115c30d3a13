package dptrain.driver.config;

/**
 * Checkpointing.
 *
 * @param dir    any Hadoop URI or local path; defaults to {@code <output.dir>/checkpoints}
 * @param keep   how many of the newest checkpoints to keep (older ones are deleted)
 * @param resume whether a run resumes from the newest checkpoint in {@code dir}
 */
public record CheckpointSpec(String dir, int keep, boolean resume) {

    public CheckpointSpec {
        OutputKeys.CHECKPOINT_DIR.check(dir);
        OutputKeys.KEEP.check(keep);
    }
}
