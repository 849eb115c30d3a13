package dptrain.driver.config;

import java.util.List;

/**
 * The network: a stack of layers, the last of which is the output layer.
 *
 * @param layers hidden layers followed by exactly one output layer
 * @param l2     L2 regularisation coefficient on weights (0 = none)
 */
public record ModelSpec(List<LayerSpec> layers, double l2) {

    public ModelSpec {
        layers = List.copyOf(layers);
    }

    public LayerSpec outputLayer() {
        return layers.get(layers.size() - 1);
    }
}
