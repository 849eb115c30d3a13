package dptrain.driver.config;

import java.util.List;

/**
 * The network: either a stack of layers, the last of which is the output layer, or a DL4J
 * configuration JSON file that is trained as it is.
 *
 * @param layers   hidden layers followed by exactly one output layer; empty with {@code dl4jJson}
 * @param l2       L2 regularisation coefficient on weights (0 = none); 0 with {@code dl4jJson}
 * @param dl4jJson any Hadoop path of a DL4J {@code MultiLayerConfiguration} or
 *                 {@code ComputationGraphConfiguration} JSON, or {@code null} to build from {@code layers}
 */
public record ModelSpec(List<LayerSpec> layers, double l2, String dl4jJson) {

    public ModelSpec {
        layers = List.copyOf(layers);
        ModelKeys.L2.check(l2);
        if (dl4jJson != null) {
            ModelKeys.DL4J_JSON.check(dl4jJson);
            if (!layers.isEmpty()) {
                throw new SpecException("model.dl4j_json: not allowed together with model.layers (" + layers.size()
                        + " layers given); the JSON defines the whole network, give one of the two");
            }
            if (l2 != 0) {
                throw new SpecException("model.l2: not used with model.dl4j_json (the JSON holds its own"
                        + " regularisation), got " + SpecRules.format(l2));
            }
        } else {
            checkLayers(layers);
        }
    }

    /** A network built from layers. */
    public ModelSpec(List<LayerSpec> layers, double l2) {
        this(layers, l2, null);
    }

    private static void checkLayers(List<LayerSpec> layers) {
        if (layers.isEmpty()) {
            throw new SpecException("model.layers: required, at least one layer");
        }
        int last = layers.size() - 1;
        if (layers.get(last).type() != LayerType.OUTPUT) {
            throw new SpecException("model.layers: the last layer must have type output");
        }
        String flattenedAt = null;
        for (int i = 0; i <= last; i++) {
            String path = "model.layers[" + i + "]";
            LayerSpec layer = layers.get(i);
            checkLayer(path, layer, i == last);
            if (layer.spatial() && flattenedAt != null) {
                throw new SpecException(path + ".type: " + Spelling.LAYER_TYPE.name(layer.type())
                        + " needs images, but " + flattenedAt + " already turned them into vectors");
            }
            if (flattenedAt == null && (layer.type() == LayerType.DENSE || layer.type() == LayerType.FLATTEN
                    || layer.type() == LayerType.GLOBAL_POOLING)) {
                flattenedAt = path + " (" + Spelling.LAYER_TYPE.name(layer.type()) + ")";
            }
        }
    }

    private static void checkLayer(String path, LayerSpec layer, boolean last) {
        LayerType type = layer.type();
        if (type == LayerType.OUTPUT && !last) {
            throw new SpecException(path + ".type: only the last layer may have type output");
        }
        if (type != LayerType.OUTPUT && layer.loss() != null) {
            throw new SpecException(path + ".loss: not allowed on a " + Spelling.LAYER_TYPE.name(type)
                    + " layer; only the output layer has a loss");
        }
        if (type == LayerType.OUTPUT && layer.loss() == null) {
            throw SpecRules.lossRequired(path);
        }
        List<String> keys = LayerSpec.keys(type);
        if (keys.contains("units")) {
            LayerKeys.UNITS.check(path, layer.units());
        }
        if (keys.contains("filters")) {
            LayerKeys.FILTERS.check(path, layer.filters());
        }
        if (keys.contains("activation")) {
            required(path, "activation", layer.activation());
            required(path, "weight_init", layer.weightInit());
        }
        if (keys.contains("kernel")) {
            required(path, "kernel", layer.kernel());
            required(path, "stride", layer.stride());
            required(path, "padding", layer.padding());
        }
        if (keys.contains("pooling")) {
            required(path, "pooling", layer.pooling());
        }
        if (type == LayerType.DROPOUT) {
            if (!(layer.dropout() > 0 && layer.dropout() < 1)) {
                throw new SpecException(path + ".dropout: a dropout layer needs a rate in (0, 1), got "
                        + SpecRules.format(layer.dropout()));
            }
        } else if (keys.contains("dropout")) {
            LayerKeys.DROPOUT.check(path, layer.dropout());
        }
        if (layer.activation() == Activation.SOFTMAX && type != LayerType.OUTPUT) {
            throw new SpecException(path + ".activation: softmax is only allowed on the output layer");
        }
        // cross-entropy losses are defined on probabilities: one distribution (softmax) for mcxent,
        // independent probabilities (sigmoid) for bce
        if (layer.loss() == Loss.MCXENT || layer.loss() == Loss.SPARSE_MCXENT || layer.loss() == Loss.BCE) {
            Activation needed = LayerKeys.outputActivation(layer.loss());
            if (layer.activation() != needed) {
                throw new SpecException(path + ".activation: loss " + Spelling.LOSS.name(layer.loss())
                        + " needs activation " + Spelling.ACTIVATION.name(needed) + ", got "
                        + Spelling.ACTIVATION.name(layer.activation()));
            }
        }
    }

    private static void required(String path, String key, Object value) {
        if (value == null) {
            throw new SpecException(path + "." + key + ": required");
        }
    }

    /**
     * Checks the layers against the input shape of the data: convolution and pooling need images,
     * given as {@code data.shape: [channels, height, width]}.
     */
    public void checkInput(List<Integer> shape) {
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec layer = layers.get(i);
            if (layer.spatial() && shape.size() != 3) {
                throw new SpecException("model.layers[" + i + "].type: " + Spelling.LAYER_TYPE.name(layer.type())
                        + " needs image input; set data.shape to [channels, height, width], got "
                        + (shape.isEmpty() ? "no data.shape" : "data.shape " + shape));
            }
        }
    }

    /** Whether the network comes from {@link #dl4jJson} rather than from layers. */
    public boolean fromJson() {
        return dl4jJson != null;
    }

    /** The output layer; only for a network built from layers. */
    public LayerSpec outputLayer() {
        if (layers.isEmpty()) {
            throw new IllegalStateException("model.dl4j_json networks have no output LayerSpec; read it from the JSON");
        }
        return layers.get(layers.size() - 1);
    }
}
