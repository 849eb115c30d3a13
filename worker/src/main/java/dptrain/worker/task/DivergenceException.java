package dptrain.worker.task;

/**
 * The loss or the averaged gradient became NaN or infinite. Deterministic, so the driver does
 * not relaunch the epoch; it stops (or rolls back) with this message.
 */
public final class DivergenceException extends RuntimeException {

    private final int epoch;
    private final int iteration;

    /**
     * @param epoch     1-based epoch
     * @param iteration global iteration number
     * @param what      what became non-finite, e.g. "loss is NaN"
     */
    public DivergenceException(int epoch, int iteration, String what) {
        super("training diverged at epoch " + epoch + ", iteration " + iteration + ": " + what);
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
