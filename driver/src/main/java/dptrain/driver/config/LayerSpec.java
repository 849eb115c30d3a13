package dptrain.driver.config;

import java.util.List;
import java.util.Objects;

/**
 * One layer. Each {@link LayerType} uses some of the components; the others hold their "absent"
 * value ({@code 0} or {@code null}), which is also what {@link SpecJson} writes for them.
 *
 * @param type       the kind of layer
 * @param units      dense/output: number of units (neurons); 0 for other kinds
 * @param activation dense/output/convolution: activation function; {@code null} for other kinds
 * @param loss       loss function of the output layer, {@code null} for every other layer
 * @param weightInit dense/output/convolution: weight initialisation; {@code null} for other kinds
 * @param dropout    dropout layer: fraction of inputs dropped, in (0, 1); dense/output/convolution:
 *                   the same for the layer's own inputs, 0 for none
 * @param filters    convolution: number of output channels; 0 for other kinds
 * @param kernel     convolution/pooling: window size; {@code null} for other kinds
 * @param stride     convolution/pooling: window step; {@code null} for other kinds
 * @param padding    convolution/pooling: border handling; {@code null} for other kinds
 * @param pooling    pooling/global pooling: max or average; {@code null} for other kinds
 */
public record LayerSpec(LayerType type, int units, Activation activation, Loss loss, WeightInit weightInit,
                        double dropout, int filters, Size2D kernel, Size2D stride, Padding padding,
                        PoolingType pooling) {

    /**
     * Only what needs no position in the stack is checked here; {@link ModelSpec} checks the rest
     * (units, loss and activation rules) so that its errors can name {@code model.layers[i]}.
     */
    public LayerSpec {
        Objects.requireNonNull(type, "type");
    }

    /** A dense or output layer without dropout. */
    public LayerSpec(LayerType type, int units, Activation activation, Loss loss, WeightInit weightInit) {
        this(type, units, activation, loss, weightInit, 0, 0, null, null, null, null);
    }

    /** The spec keys a layer of {@code type} takes (besides {@code type}). */
    public static List<String> keys(LayerType type) {
        return switch (type) {
            case DENSE -> List.of("units", "activation", "weight_init", "dropout");
            case OUTPUT -> List.of("units", "activation", "loss", "weight_init", "dropout");
            case DROPOUT -> List.of("dropout");
            case BATCH_NORM, FLATTEN -> List.of();
            case CONVOLUTION -> List.of("filters", "kernel", "stride", "padding", "activation", "weight_init",
                    "dropout");
            case POOLING -> List.of("pooling", "kernel", "stride", "padding");
            case GLOBAL_POOLING -> List.of("pooling");
        };
    }

    /** A hidden layer with the default weight initialisation for its activation. */
    public static LayerSpec dense(int units, Activation activation) {
        return new LayerSpec(LayerType.DENSE, units, activation, null, LayerKeys.weightInit(activation), 0, 0,
                null, null, null, null);
    }

    /** The output layer with the activation its loss assumes and the matching weight initialisation. */
    public static LayerSpec output(int units, Loss loss) {
        Activation activation = LayerKeys.outputActivation(loss);
        return new LayerSpec(LayerType.OUTPUT, units, activation, loss, LayerKeys.weightInit(activation), 0, 0,
                null, null, null, null);
    }

    /** A convolution with stride 1 and valid padding. */
    public static LayerSpec convolution(int filters, int kernel, Activation activation) {
        return new LayerSpec(LayerType.CONVOLUTION, 0, activation, null, LayerKeys.weightInit(activation), 0,
                filters, Size2D.square(kernel), Size2D.square(LayerKeys.CONVOLUTION_STRIDE),
                LayerKeys.PADDING.defaultValue(), null);
    }

    /** Pooling whose stride equals its window. */
    public static LayerSpec pooling(PoolingType pooling, int kernel) {
        return new LayerSpec(LayerType.POOLING, 0, null, null, null, 0, 0, Size2D.square(kernel),
                Size2D.square(kernel), LayerKeys.PADDING.defaultValue(), pooling);
    }

    /** A layer of a kind that takes no settings but {@code dropout} (dropout, batch_norm, flatten...). */
    public static LayerSpec of(LayerType type, double dropout) {
        return new LayerSpec(type, 0, null, null, null, dropout, 0, null, null, null,
                type == LayerType.GLOBAL_POOLING ? LayerKeys.POOLING.defaultValue() : null);
    }

    /** Whether the layer works on images ({@code [channels, height, width]}). */
    public boolean spatial() {
        return type == LayerType.CONVOLUTION || type == LayerType.POOLING || type == LayerType.GLOBAL_POOLING;
    }
}
