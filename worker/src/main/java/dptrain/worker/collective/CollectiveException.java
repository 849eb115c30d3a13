package dptrain.worker.collective;

/** A collective operation could not complete: a peer died, timed out, or failed authentication. */
public final class CollectiveException extends RuntimeException {

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
