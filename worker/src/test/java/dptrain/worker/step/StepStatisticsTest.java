package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The fused step's update ratios, taken over Java arrays, are the ones ND4J's norms of the views give. */
class StepStatisticsTest {

    @Test
    void normsOverArraysEqualNormsOverTheNetworksViews() {
        Network net = StepProfile.mlp();
        INDArray[] features = new INDArray[1];
        INDArray[] labels = new INDArray[1];
        StepProfile.randomBatches(16, 2, features, labels);
        net.computeGradientAndScore(features[0], labels[0]);
        Nd4j.getRandom().setSeed(9);
        // an update of a different size per layer, so a mix-up of layers shows
        INDArray updates = net.flattenedGradients();
        updates.assign(Nd4j.rand(DataType.FLOAT, updates.shape()).subi(0.5).muli(Nd4j.linspace(DataType.FLOAT, 1e-3,
                1e-1, updates.length()).reshape(updates.shape())));

        StepStatistics views = new StepStatistics(0);
        StepStatistics arrays = new StepStatistics(0);
        double[] viewNorms = views.parameterNorms(net);
        double[] arrayNorms = arrays.parameterNorms(net, net.params().toFloatVector());
        views.updateRatios(net, viewNorms);
        arrays.updateRatios(updates.toFloatVector(), arrayNorms);

        // ND4J sums the squares of a view in float (relative error ~1e-5 over 200k elements); the
        // arrays' blocked sum is closer to the exact double sum
        float[] params = net.params().toFloatVector();
        long[] ends = {0, 784 * 256 + 256, 784 * 256 + 256 + 256 * 128 + 128, params.length};
        assertEquals(3, viewNorms.length);
        for (int layer = 0; layer < 3; layer++) {
            double exact = 0;
            for (int i = (int) ends[layer]; i < ends[layer + 1]; i++) {
                exact += (double) params[i] * params[i];
            }
            exact = Math.sqrt(exact);
            assertEquals(exact, arrayNorms[layer], 1e-7 * exact, "parameters of layer " + layer);
            assertEquals(viewNorms[layer], arrayNorms[layer], 2e-5 * exact, "parameters of layer " + layer);
            double ratio = views.updateRatioMean()[layer];
            assertEquals(ratio, arrays.updateRatioMean()[layer], 4e-5 * ratio, "update ratio of layer " + layer);
        }
    }
}
