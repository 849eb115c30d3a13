package dptrain.worker.collective;

/** A collective operation could not complete: a peer died, timed out, or failed authentication. */
public final class CollectiveException extends RuntimeException {

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What a rank throws when work it handed to another thread failed: that thread's
     * {@code CollectiveException} again (a fresh one, so the caller's stack shows up too; the
     * message stays first), anything else wrapped in a line that says what was being done.
     */
    static CollectiveException rethrown(Throwable cause, int rank, String doing) {
        if (cause instanceof CollectiveException collective) {
            return new CollectiveException(collective.getMessage(), collective);
        }
        return new CollectiveException("rank " + rank + ": failed " + doing + ": " + cause, cause);
    }
}
