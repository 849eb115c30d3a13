package dptrain.worker.step;

import dptrain.worker.collective.Collective;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Local updater steps, each on this rank's part alone (no communication), and every K iterations
 * and at the epoch's end a parameter average, so the ranks end every epoch identical.
 *
 * <p>The average weights each rank by the rows it stepped on since the last one. With one local
 * step between averages and plain SGD this is exactly the gradient-averaging step:
 * {@code sum_r (|B_r|/|B|) (p - lr g_r/|B_r|) = p - lr (sum_r g_r)/|B|} for gradient sums
 * {@code g_r}, whatever the part sizes. Clipping acts on each local gradient.
 */
final class ParameterAveraging extends Synchronizer {

    private final Averaging averaging;
    /** The epoch's first global iteration, and its number of iterations: the last one averages. */
    private final int firstIteration;
    private final int iterations;
    private final float[] sums;
    /** Parameters, updater state (if averaged), row count and loss sum; sized at the first average. */
    private float[] averagingBuffer = new float[0];
    /** Rows this rank stepped on, and their loss sum, since the last average. */
    private long rowsSinceAverage;
    private double lossSinceAverage;

    ParameterAveraging(Network net, Collective collective, GradientClipping clipping, StepStatistics statistics,
                       Averaging averaging, int iterations) {
        super(net, collective, clipping, statistics);
        this.averaging = averaging;
        this.firstIteration = iteration;
        this.iterations = iterations;
        this.sums = new float[length];
    }

    /** A rank whose part is empty only counts the iteration. */
    @Override
    public double step(INDArray features, INDArray labels, int globalRows) {
        int current = iteration++;
        int rows = Math.toIntExact(features.size(0));
        if (rows > 0) {
            double lossSum = gradientSums(features, labels, sums);
            updateParameters(sums, rows, lossSum, current);
            rowsSinceAverage += rows;
            lossSinceAverage += lossSum;
        } else {
            net.setIterationCount(current + 1);
        }
        int inEpoch = current - firstIteration;
        if ((inEpoch + 1) % averaging.frequency() != 0 && inEpoch != iterations - 1) {
            return 0;
        }
        return averageParameters();
    }

    /**
     * Replaces every rank's parameters (and, if asked, updater state) by their row-weighted average
     * over the ranks.
     *
     * @return the data loss summed over every rank's rows since the last average
     */
    private double averageParameters() {
        storeUpdaterState();
        INDArray params = net.params();
        INDArray state = averaging.averageUpdaterState() ? net.updater().getStateViewArray() : null;
        int stateLength = state == null ? 0 : Math.toIntExact(state.length());
        if (averagingBuffer.length != length + stateLength + 2) {
            averagingBuffer = new float[length + stateLength + 2];
        }
        float[] buffer = averagingBuffer;
        float weight = rowsSinceAverage;
        HostMemory.copyOut(params, buffer, 0, length);
        if (state != null) {
            HostMemory.copyOut(state, buffer, length, stateLength);
        }
        int end = length + stateLength;
        for (int i = 0; i < end; i++) {
            buffer[i] *= weight;
        }
        buffer[end] = weight;
        buffer[end + 1] = (float) lossSinceAverage;
        collective.allReduceSum(buffer);
        float totalRows = buffer[end];
        double squares = 0;
        for (int i = 0; i < end; i++) {
            buffer[i] /= totalRows;
            squares += (double) buffer[i] * buffer[i];
        }
        HostMemory.copyIn(buffer, 0, params, length);
        if (state != null) {
            HostMemory.copyIn(buffer, length, state, stateLength);
        }
        reloadUpdate();
        rowsSinceAverage = 0;
        lossSinceAverage = 0;
        double lossSum = buffer[end + 1];
        requireFinite(lossSum, "loss");
        if (!Double.isFinite(squares)) {
            throw new NonFiniteValueException("averaged parameters are not finite");
        }
        return lossSum;
    }
}
