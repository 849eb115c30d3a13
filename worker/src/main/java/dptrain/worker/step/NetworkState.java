package dptrain.worker.step;

import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything that changes during training, as plain arrays: what the driver broadcasts at the
 * start of an epoch, what rank 0 returns at its end, and what a checkpoint stores.
 *
 * @param params       the flattened parameters
 * @param updaterState the flattened updater state (empty for stateless updaters such as SGD)
 * @param iteration    parameter updates done so far (DL4J's iteration count)
 * @param epoch        epochs completed so far (DL4J's epoch count)
 */
public record NetworkState(float[] params, float[] updaterState, int iteration, int epoch) implements Serializable {

    /** A freshly initialised network (weights drawn from the configuration's seed). */
    public static NetworkState initial(String configurationJson) {
        Network net = Network.fromJson(configurationJson);
        net.init();
        return capture(net);
    }

    /** Copies the network's parameters, updater state and counters. */
    public static NetworkState capture(Network net) {
        INDArray updater = net.updater().getStateViewArray();
        return new NetworkState(net.params().toFloatVector(),
                updater == null ? new float[0] : updater.toFloatVector(),
                net.iterationCount(), net.epochCount());
    }

    /** Builds the network of {@code configurationJson} holding exactly this state. */
    public Network restore(String configurationJson) {
        Network net = Network.fromJson(configurationJson);
        net.init(Nd4j.create(params.clone(), new long[] {1, params.length}, 'c'));
        net.setIterationCount(iteration);
        net.setEpochCount(epoch);
        if (updaterState.length > 0) {
            net.updater().setStateViewArray(Nd4j.create(updaterState.clone(), new long[] {1, updaterState.length}, 'c'));
        }
        return net;
    }

    /** A fingerprint of the parameter bits, to check that ranks stayed identical. */
    public static long fingerprint(float[] values) {
        return Arrays.hashCode(values) * 31L + values.length;
    }
}
