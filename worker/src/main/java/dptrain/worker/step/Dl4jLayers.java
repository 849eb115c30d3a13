package dptrain.worker.step;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's own forward and backward pass through the network's layers: every network DL4J can
 * train, and the first pass of every epoch (it creates the gradient views the faster passes bind to).
 */
final class Dl4jLayers implements ComputePass {

    private final Network net;
    private final int length;

    Dl4jLayers(Network net) {
        this.net = net;
        this.length = Math.toIntExact(net.numParams());
    }

    @Override
    public double gradientSums(INDArray features, INDArray labels, float[] sums) {
        net.computeGradientAndScore(features, labels);
        // DL4J's score is the mean loss plus regularisation; the sum over the rows is what is exchanged
        double lossSum = (net.score() - net.regularizationScore()) * features.size(0);
        HostMemory.copyOut(net.flattenedGradients(), sums, 0, length);
        return lossSum;
    }
}
