package dptrain.driver.config;

/**
 * What training does when the loss or the averaged gradient becomes NaN or infinite:
 * {@code STOP} keeps the last good checkpoint and exits with an error; {@code ROLLBACK} goes back
 * to it with half the learning rate (a bounded number of times, then stops as well).
 */
public enum OnDivergence {
    STOP,
    ROLLBACK
}
