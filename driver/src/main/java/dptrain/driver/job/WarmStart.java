package dptrain.driver.job;

import dptrain.driver.BadInputException;
import dptrain.driver.data.FeatureScaling;
import dptrain.driver.data.PreparedData;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Continuing from a registry's current model: its parameters are the starting point, its
 * normalisation is applied to the new data (the weights were learnt on data scaled that way), and
 * the new data must have its feature columns and classes. The updater state starts fresh: the new
 * spec's optimizer and learning-rate schedule begin at iteration 0 (as after loading weights into a
 * newly compiled Keras model), so a retrain may use a smaller learning rate than the first run.
 *
 * @param version        the registry version the parameters come from
 * @param model          that version's network
 * @param scaling        its normalisation
 * @param labelNames     its classes by index (empty for regression)
 * @param featureColumns its feature columns (empty for LibSVM/IDX)
 * @param onStart        told the state training starts from (tests check it is the version's)
 */
record WarmStart(String version, Network model, FeatureScaling scaling, List<String> labelNames,
                 List<String> featureColumns, Consumer<NetworkState> onStart) {

    /** The new data must look like the data the model was trained on. */
    void checkData(PreparedData data) {
        if (!data.featureColumns().equals(featureColumns)) {
            throw new BadInputException("data.features: the current model " + version + " was trained on the columns "
                    + featureColumns + ", the new data gives " + data.featureColumns()
                    + "; retrain continues a model on the same features");
        }
        if (!data.labelNames().equals(labelNames)) {
            throw new BadInputException("data.label: the current model " + version + " has the classes " + labelNames
                    + ", the new data has " + data.labelNames() + "; retrain continues a model on the same classes");
        }
    }

    /**
     * The model's parameters in the network the new spec builds, with that network's fresh updater state.
     *
     * @throws BadInputException if the spec builds a network of another shape
     */
    NetworkState start(String configuration) {
        Network fresh = Network.fromJson(configuration);
        fresh.init();
        Map<String, String> expected = shapes(model);
        Map<String, String> built = shapes(fresh);
        if (!expected.equals(built)) {
            throw new BadInputException("model: the current model " + version + " has the parameters " + expected
                    + ", the spec builds " + built + "; retrain continues a network of the same shape"
                    + " (use a new registry.dir for a new architecture)");
        }
        NetworkState initial = NetworkState.capture(fresh);
        NetworkState start = new NetworkState(model.params().toFloatVector(), initial.updaterState(), 0, 0);
        onStart.accept(start);
        return start;
    }

    private static Map<String, String> shapes(Network network) {
        Map<String, String> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> entry : network.model().paramTable().entrySet()) {
            shapes.put(entry.getKey(), Arrays.toString(entry.getValue().shape()));
        }
        return shapes;
    }
}
