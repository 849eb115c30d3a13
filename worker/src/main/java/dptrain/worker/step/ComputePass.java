package dptrain.worker.step;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward and backward pass over one rank's rows: what turns a batch into gradient sums. The seam
 * where a faster pass plugs in; the package documentation states the contract every pass keeps.
 */
interface ComputePass {

    /**
     * Writes the sums over the rows of the per-example gradients of the data loss into
     * {@code sums[0, numParams)}, in DL4J's flattened parameter order, and returns the data loss
     * (without regularisation) summed over the rows.
     *
     * @param features this rank's rows, {@code rows x inputs}, at least one row
     * @param labels   their labels
     * @param sums     the all-reduce buffer; entries from {@code numParams} on are left alone
     */
    double gradientSums(INDArray features, INDArray labels, float[] sums);
}
