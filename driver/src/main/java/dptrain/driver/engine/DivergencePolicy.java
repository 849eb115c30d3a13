package dptrain.driver.engine;

/**
 * What the loop does when an epoch diverges. A divergence is deterministic (the same state, data
 * order and learning rate diverge again), so it is never relaunched as it was: the policy either
 * stops, or rolls back to the epoch-start state with a smaller learning rate.
 */
@FunctionalInterface
public interface DivergencePolicy {

    /** Factor applied to the learning-rate scale on every rollback. */
    double ROLLBACK_FACTOR = 0.5;
    /** Rollbacks allowed in one run before training stops anyway. */
    int MAX_ROLLBACKS = 3;

    /**
     * @param rollbacksSoFar rollbacks already done in this run
     * @return whether to roll back (else training stops)
     */
    boolean rollBack(int rollbacksSoFar);

    /** {@code training.on_divergence: stop}. */
    static DivergencePolicy stop() {
        return rollbacksSoFar -> false;
    }

    /** {@code training.on_divergence: rollback}: halve the learning rate, at most {@code maxRollbacks} times. */
    static DivergencePolicy rollback(int maxRollbacks) {
        return rollbacksSoFar -> rollbacksSoFar < maxRollbacks;
    }

    /** From the spec's choice: rollback (at most {@link #MAX_ROLLBACKS}) or stop. */
    static DivergencePolicy of(boolean rollback) {
        return rollback ? rollback(MAX_ROLLBACKS) : stop();
    }
}
