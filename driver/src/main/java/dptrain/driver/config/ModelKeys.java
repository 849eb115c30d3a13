package dptrain.driver.config;

import java.util.List;

/** The keys of the {@code model} section, declared once ({@link SpecKey}); they become a {@link ModelSpec}. */
final class ModelKeys {

    static final SpecSection<ModelSpec> SECTION = new SpecSection<>("model", ModelKeys::build);

    static final SpecKey<ModelSpec, Double> L2 = SpecKey.in(SECTION, "l2", ValueTypes.NUMBER, ModelSpec::l2)
            .byDefault(0.0)
            .validate(SpecRules::atLeastZero)
            .doc("`>= 0`",
                    "L2 regularisation coefficient on weights; not with `dl4j_json`")
            .declare();
    static final SpecKey<ModelSpec, List<LayerSpec>> LAYERS = SpecKey.in(SECTION, "layers",
                    LayerKeys.SECTION.asList("list of layers"), ModelSpec::layers)
            .required("required unless `dl4j_json`")
            .doc("at least one",
                    "hidden layers, then exactly one output layer (the last)")
            .declare();
    static final SpecKey<ModelSpec, String> DL4J_JSON = SpecKey.in(SECTION, "dl4j_json", ValueTypes.STRING,
                    ModelSpec::dl4jJson)
            .optional("none")
            .validate(SpecRules::text)
            .doc("path or Hadoop URI",
                    "escape hatch: a DL4J `MultiLayerConfiguration` or `ComputationGraphConfiguration` JSON"
                    + " (one input, one output), trained as it is (its own layers, updater, regularisation,"
                    + " seed; `training.optimizer` is not applied to it). Not together with `model.layers` or"
                    + " `model.l2`. Its output loss must be one of `LossMCXENT`, `LossSparseMCXENT`,"
                    + " `LossBinaryXENT`, `LossMSE`/`LossL2`, `LossMAE`/`LossL1`, `dptrain.worker.loss.HuberLoss`")
            .declare();

    private ModelKeys() {
    }

    /**
     * {@code dl4j_json} first: in a spec file it rules out the key {@code layers} before the layers are
     * read (canonical JSON holds an empty list there, which {@link ModelSpec} accepts).
     */
    private static ModelSpec build(SpecValues values) {
        String dl4jJson = values.get(DL4J_JSON);
        if (dl4jJson != null && values.has(LAYERS) && values.source() == SpecValues.Source.SPEC_FILE) {
            throw new SpecException(values.keyPath(DL4J_JSON.name()) + ": not allowed together with model.layers;"
                    + " the JSON defines the whole network, give one of the two");
        }
        double l2 = values.get(L2);
        return new ModelSpec(values.get(LAYERS), l2, dl4jJson);
    }
}
