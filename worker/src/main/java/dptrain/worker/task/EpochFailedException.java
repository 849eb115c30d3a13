package dptrain.worker.task;

/** A rank failed during an epoch; the message starts with the epoch, iteration and rank. */
public final class EpochFailedException extends RuntimeException {

    public EpochFailedException(int epoch, int iteration, int rank, Throwable cause) {
        super("epoch " + (epoch + 1) + ", iteration " + iteration + ", rank " + rank + ": " + cause.getMessage(), cause);
    }
}
