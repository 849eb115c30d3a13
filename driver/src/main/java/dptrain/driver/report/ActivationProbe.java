package dptrain.driver.report;

import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation statistics of a state on a fixed probe batch, computed on the driver after every
 * epoch: per layer the mean and standard deviation of the activations, and for ReLU layers the
 * fraction of dead units (zero for every probe row; a dead ReLU unit gets no gradient and
 * never recovers). The same rows every epoch, so the numbers compare across epochs.
 */
public final class ActivationProbe {

    private final String configurationJson;
    private final INDArray features;

    public ActivationProbe(String configurationJson, float[] features, int rows, int featureCount) {
        this.configurationJson = configurationJson;
        this.features = Nd4j.create(features, new long[] {rows, featureCount}, 'c');
    }

    /**
     * The first {@code rows} rows of {@code blocks} in partition order (fewer if there are
     * fewer); each partition sends at most {@code rows} rows to the driver.
     */
    public static ActivationProbe firstRows(String configurationJson, JavaRDD<ShardBlock> blocks, int rows) {
        List<ShardBlock> heads = blocks.map(block -> head(block, rows)).collect();
        int featureCount = heads.isEmpty() ? 0 : heads.get(0).featureCount();
        float[] features = new float[rows * Math.max(featureCount, 1)];
        int taken = 0;
        for (ShardBlock head : heads) {
            int take = Math.min(head.rows(), rows - taken);
            System.arraycopy(head.features(), 0, features, taken * featureCount, take * featureCount);
            taken += take;
        }
        return new ActivationProbe(configurationJson, Arrays.copyOf(features, taken * featureCount), taken,
                featureCount);
    }

    private static ShardBlock head(ShardBlock block, int rows) {
        int take = Math.min(rows, block.rows());
        return new ShardBlock(take, block.featureCount(), block.labelWidth(),
                Arrays.copyOf(block.features(), take * block.featureCount()),
                Arrays.copyOf(block.labels(), take * block.labelWidth()));
    }

    public int rows() {
        return (int) features.rows();
    }

    /** Statistics of every layer, in layer order; nothing without probe rows. */
    public List<LayerStatistics> measure(NetworkState state) {
        List<LayerStatistics> layers = new ArrayList<>();
        if (rows() == 0) {
            return layers;
        }
        for (Network.LayerActivations layer : state.restore(configurationJson).activations(features)) {
            INDArray values = layer.values().reshape('c', layer.values().size(0), -1);
            double dead = Double.NaN;
            if (layer.relu()) {
                // ReLU outputs are >= 0: a unit is dead when its largest output over the batch is 0.
                INDArray largest = values.max(0);
                dead = largest.lte(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
            }
            layers.add(new LayerStatistics(layer.layer(), values.meanNumber().doubleValue(),
                    values.stdNumber().doubleValue(), dead));
        }
        return layers;
    }

    /**
     * @param layer            layer index or vertex name
     * @param mean             mean activation over the probe rows and units
     * @param std              sample standard deviation (n - 1) of the activations over probe rows and units
     * @param deadReluFraction fraction of units that are zero for every probe row; NaN for a
     *                         layer that is not ReLU
     */
    public record LayerStatistics(String layer, double mean, double std, double deadReluFraction) {
    }
}
