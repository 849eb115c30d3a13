package dptrain.driver.config;

import java.util.List;

/**
 * The keys of one entry of {@code model.layers}, declared once ({@link SpecKey}); they become a
 * {@link LayerSpec}. A key the layer's type does not take ({@link LayerSpec#keys}) may not be given
 * and holds 0 or {@code null}. The defaults that follow from other keys (activation from the loss,
 * weight initialisation from the activation) are here too.
 */
final class LayerKeys {

    /** The activation of hidden layers unless given. */
    static final Activation HIDDEN_ACTIVATION = Activation.RELU;
    /** Stride of a convolution unless given. */
    static final int CONVOLUTION_STRIDE = 1;
    /** Pooling window (and, unless given, stride): 2x2, halving height and width. */
    static final int POOLING_KERNEL = 2;

    static final SpecSection<LayerSpec> SECTION = new SpecSection<>("model.layers[i]", LayerKeys::build);

    static final SpecKey<LayerSpec, LayerType> TYPE = SpecKey.in(SECTION, "type",
                    ValueTypes.choice(Spelling.LAYER_TYPE), LayerSpec::type)
            .byDefault(LayerType.DENSE)
            .doc("`dense`, `output`, `dropout`, `batch_norm` (aliases `batchnorm`, `batch_normalization`),"
                    + " `convolution` (aliases `conv`, `conv2d`), `pooling` (aliases `subsampling`, `pool`),"
                    + " `global_pooling` (alias `global_pool`), `flatten`",
                    "`output` for the last layer and only the last; `convolution`/`pooling`/`global_pooling`"
                    + " need `data.shape` and must come before the first `dense`, `flatten` or `global_pooling`"
                    + " layer; `flatten` is optional (DL4J flattens in front of the first dense layer itself)")
            .declare();
    static final SpecKey<LayerSpec, Integer> UNITS = forTypes(SpecKey.in(SECTION, "units", ValueTypes.POSITIVE_INT,
                    LayerSpec::units), 0)
            .required("required for `dense`/`output`")
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "number of units (for the output layer: classes, or regression targets)")
            .declare();
    static final SpecKey<LayerSpec, Activation> ACTIVATION = forTypes(SpecKey.in(SECTION, "activation",
                    ValueTypes.choice(Spelling.ACTIVATION), LayerSpec::activation), null)
            .byDefault((key, values) -> values.get(TYPE) == LayerType.OUTPUT
                            ? outputActivation(values.get(LayerKeys.LOSS)) : HIDDEN_ACTIVATION,
                    "`dense`/`convolution`: `relu`; output: from the loss")
            .doc("`relu`, `leakyrelu` (alias `leaky_relu`), `elu`, `sigmoid`, `tanh`, `softmax`, `identity`",
                    "activation function; `softmax` only on the output layer")
            .declare();
    /** Any layer may give it; a loss off the output layer gets {@link ModelSpec}'s message, which says where. */
    static final SpecKey<LayerSpec, Loss> LOSS = SpecKey.in(SECTION, "loss", ValueTypes.choice(Spelling.LOSS),
                    LayerSpec::loss)
            .optional("required on the output layer")
            .doc("`mse`, `mae` (alias `l1`), `huber` (alias `smooth_l1`), `bce` (aliases"
                    + " `binary_crossentropy`, `xent`), `mcxent` (aliases `categorical_crossentropy`,"
                    + " `cross_entropy`), `sparse_mcxent` (alias `sparse_categorical_crossentropy`)",
                    "loss; only on the output layer; it decides the task (`mse`/`mae`/`huber`: regression, the"
                    + " others classification). `huber`: delta 1, mean over outputs. `sparse_mcxent`: the same"
                    + " loss as `mcxent`, but the network is fed the class index (one label column) instead of a"
                    + " one-hot row")
            .declare();
    static final SpecKey<LayerSpec, WeightInit> WEIGHT_INIT = forTypes(SpecKey.in(SECTION, "weight_init",
                    ValueTypes.choice(Spelling.WEIGHT_INIT), LayerSpec::weightInit), null)
            .byDefault((key, values) -> weightInit(values.get(ACTIVATION)),
                    "`he` for `relu`/`leakyrelu`/`elu`, else `xavier`")
            .doc("`xavier`, `he` (aliases `relu`, `he_normal`), `uniform` (U(-a, a), a = 1/sqrt(fan-in)),"
                    + " `normal` (truncated normal, std 1/sqrt(fan-in))",
                    "weight initialisation of `dense`, `output`, `convolution` layers")
            .declare();
    static final SpecKey<LayerSpec, Double> DROPOUT = forTypes(SpecKey.in(SECTION, "dropout", ValueTypes.NUMBER,
                    LayerSpec::dropout), 0.0)
            .byDefault((key, values) -> values.get(TYPE) == LayerType.DROPOUT
                            ? key.type().whenAbsent(values.keyPath(key.name()), values) : 0.0,
                    "`0` (none)")
            .validate(SpecRules::fraction)
            .doc("`dropout` layer: `(0, 1)`; `dense`/`output`/`convolution`: `[0, 1)`",
                    "fraction of inputs dropped in training (inverted dropout, nothing dropped at inference);"
                    + " on a `dense`/`output`/`convolution` layer it applies to that layer's own inputs (DL4J's"
                    + " per-layer dropout). A network with dropout never takes the dense fast path")
            .declare();
    static final SpecKey<LayerSpec, Integer> FILTERS = forTypes(SpecKey.in(SECTION, "filters",
                    ValueTypes.POSITIVE_INT, LayerSpec::filters), 0)
            .required("required for `convolution`")
            .validate(SpecRules::positive)
            .doc("`>= 1`",
                    "output channels of a convolution")
            .declare();
    static final SpecKey<LayerSpec, Size2D> KERNEL = forTypes(SpecKey.in(SECTION, "kernel", ValueTypes.SIZE_2D,
                    LayerSpec::kernel), null)
            .byDefault((key, values) -> values.get(TYPE) == LayerType.CONVOLUTION
                            ? key.type().whenAbsent(values.keyPath(key.name()), values)
                            : Size2D.square(POOLING_KERNEL),
                    "`convolution`: required; `pooling`: `2`")
            .doc("positive",
                    "window size (`3` means 3x3)")
            .declare();
    static final SpecKey<LayerSpec, Size2D> STRIDE = forTypes(SpecKey.in(SECTION, "stride", ValueTypes.SIZE_2D,
                    LayerSpec::stride), null)
            .byDefault((key, values) -> values.get(TYPE) == LayerType.CONVOLUTION
                            ? Size2D.square(CONVOLUTION_STRIDE) : values.get(KERNEL),
                    "`convolution`: `1`; `pooling`: the kernel")
            .doc("positive",
                    "window step")
            .declare();
    static final SpecKey<LayerSpec, Padding> PADDING = forTypes(SpecKey.in(SECTION, "padding",
                    ValueTypes.choice(Spelling.PADDING), LayerSpec::padding), null)
            .byDefault(Padding.VALID)
            .doc("`valid`, `same`",
                    "`valid`: no padding, the output shrinks; `same`: output size ceil(input/stride)")
            .declare();
    static final SpecKey<LayerSpec, PoolingType> POOLING = forTypes(SpecKey.in(SECTION, "pooling",
                    ValueTypes.choice(Spelling.POOLING_TYPE), LayerSpec::pooling), null)
            .byDefault(PoolingType.MAX)
            .doc("`max`, `avg` (aliases `average`, `mean`)",
                    "how `pooling`/`global_pooling` combine a window")
            .declare();

    private LayerKeys() {
    }

    /** The type, the keys it takes, the loss (the output layer's defaults follow from it), then the rest. */
    private static LayerSpec build(SpecValues values) {
        LayerType type = values.get(TYPE);
        values.refuseInapplicable();
        Loss loss = values.get(LOSS);
        if (values.source() == SpecValues.Source.SPEC_FILE && type == LayerType.OUTPUT && loss == null) {
            throw SpecRules.lossRequired(values.path());
        }
        Activation activation = values.get(ACTIVATION);
        WeightInit weightInit = values.get(WEIGHT_INIT);
        int units = values.get(UNITS);
        int filters = values.get(FILTERS);
        double dropout = values.get(DROPOUT);
        return new LayerSpec(type, units, activation, loss, weightInit, dropout, filters, values.get(KERNEL),
                values.get(STRIDE), values.get(PADDING), values.get(POOLING));
    }

    /** A key only some layer types take; for the others it holds {@code unused}. */
    private static <T> SpecKey.Builder<LayerSpec, T> forTypes(SpecKey.Builder<LayerSpec, T> key, T unused) {
        String name = key.name();
        return key.onlyWhen(values -> LayerSpec.keys(values.get(TYPE)).contains(name), values -> {
            LayerType type = values.get(TYPE);
            List<String> keys = LayerSpec.keys(type);
            return "not used by a " + Spelling.LAYER_TYPE.name(type) + " layer; it takes "
                    + (keys.isEmpty() ? "no other keys" : String.join(", ", keys));
        }, unused).refusedFirst();
    }

    /**
     * He initialisation for the ReLU family (it keeps the variance of activations constant when half
     * of the units are zero, He et al. 2015), Xavier/Glorot for everything else.
     */
    static WeightInit weightInit(Activation activation) {
        return switch (activation) {
            case RELU, LEAKYRELU, ELU -> WeightInit.HE;
            case SIGMOID, TANH, SOFTMAX, IDENTITY -> WeightInit.XAVIER;
        };
    }

    /** The output activation that matches a loss: the one its maths assumes. */
    static Activation outputActivation(Loss loss) {
        return switch (loss) {
            case MCXENT, SPARSE_MCXENT -> Activation.SOFTMAX;
            case BCE -> Activation.SIGMOID;
            case MSE, MAE, HUBER -> Activation.IDENTITY;
        };
    }
}
