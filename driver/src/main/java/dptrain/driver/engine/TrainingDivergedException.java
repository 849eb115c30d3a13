package dptrain.driver.engine;

/**
 * Training diverged (a non-finite loss or gradient) and the divergence policy said stop. The
 * message names the epoch and iteration; the checkpoints of earlier epochs are left as they were.
 */
public final class TrainingDivergedException extends RuntimeException {

    private final int epoch;
    private final int iteration;

    public TrainingDivergedException(String message, int epoch, int iteration, Throwable cause) {
        super(message, cause);
        this.epoch = epoch;
        this.iteration = iteration;
    }

    public int epoch() {
        return epoch;
    }

    public int iteration() {
        return iteration;
    }
}
