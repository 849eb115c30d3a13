package dptrain.worker.step;

/**
 * The loss, the averaged gradient or the averaged parameters became NaN or infinite. Every rank
 * sees the same global values, so every rank throws this at the same iteration and none is left
 * waiting in the collective; the epoch's runner adds the epoch and iteration.
 */
public final class NonFiniteValueException extends RuntimeException {

    /** @param what what became non-finite, e.g. "loss is NaN" */
    NonFiniteValueException(String what) {
        super(what);
    }
}
