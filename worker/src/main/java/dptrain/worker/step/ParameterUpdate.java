package dptrain.worker.step;

/**
 * Turns gradient sums into new parameters on one rank: the gradient norm, clipping, the updater
 * given the batch size, {@code params -= update}, and the iteration counted. Every rank runs the
 * same update on the same sums, so the ranks stay identical.
 */
interface ParameterUpdate {

    /**
     * @param sums      gradient sums over {@code batchSize} rows in the flattened parameter order;
     *                  overwritten (with the update, or left as scratch)
     * @param batchSize the rows the sums are over: what the updater divides by
     * @return the L2 norm of the averaged gradient ({@code sums / batchSize}) before clipping; not
     *         finite if any sum is not
     */
    double apply(float[] sums, int batchSize, int iteration, int epoch);

    /**
     * Makes the network's updater-state view current. An update may keep the state elsewhere
     * between iterations; call this before anyone else reads the state.
     */
    void storeState();

    /** Takes the parameters and updater state from the network again, after someone else wrote them. */
    void reload();
}
