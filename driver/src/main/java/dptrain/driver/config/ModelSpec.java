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
        if (layers.isEmpty()) {
            throw new SpecException("model.layers: required, at least one layer");
        }
        SpecRules.atLeastZero("model.l2", l2);
        int last = layers.size() - 1;
        if (layers.get(last).type() != LayerType.OUTPUT) {
            throw new SpecException("model.layers: the last layer must have type output");
        }
        for (int i = 0; i <= last; i++) {
            checkLayer("model.layers[" + i + "]", layers.get(i), i == last);
        }
    }

    private static void checkLayer(String path, LayerSpec layer, boolean last) {
        SpecRules.positive(path + ".units", layer.units());
        if (layer.type() == LayerType.OUTPUT && !last) {
            throw new SpecException(path + ".type: only the last layer may have type output");
        }
        if (layer.type() == LayerType.DENSE && layer.loss() != null) {
            throw new SpecException(path + ".loss: not allowed on a dense layer; only the output layer has a loss");
        }
        if (layer.type() == LayerType.OUTPUT && layer.loss() == null) {
            throw SpecRules.lossRequired(path);
        }
        if (layer.activation() == Activation.SOFTMAX && layer.type() != LayerType.OUTPUT) {
            throw new SpecException(path + ".activation: softmax is only allowed on the output layer");
        }
        // cross-entropy losses are defined on probabilities: one distribution (softmax) for mcxent,
        // independent probabilities (sigmoid) for bce
        if (layer.loss() == Loss.MCXENT || layer.loss() == Loss.BCE) {
            Activation needed = SpecDefaults.outputActivation(layer.loss());
            if (layer.activation() != needed) {
                throw new SpecException(path + ".activation: loss " + Spelling.LOSS.name(layer.loss())
                        + " needs activation " + Spelling.ACTIVATION.name(needed) + ", got "
                        + Spelling.ACTIVATION.name(layer.activation()));
            }
        }
    }

    public LayerSpec outputLayer() {
        return layers.get(layers.size() - 1);
    }
}
