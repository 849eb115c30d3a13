package dptrain.driver.config;

import java.util.Objects;

/**
 * One layer.
 *
 * @param type       dense or output
 * @param units      number of units (neurons), positive
 * @param activation activation function
 * @param loss       loss function for the output layer, {@code null} for hidden layers
 * @param weightInit weight initialisation; the default follows the activation
 */
public record LayerSpec(LayerType type, int units, Activation activation, Loss loss, WeightInit weightInit) {

    /**
     * Only what needs no position in the stack is checked here; {@link ModelSpec} checks the rest
     * (units, loss and activation rules) so that its errors can name {@code model.layers[i]}.
     */
    public LayerSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(weightInit, "weightInit");
    }

    /** A hidden layer with the default weight initialisation for its activation. */
    public static LayerSpec dense(int units, Activation activation) {
        return new LayerSpec(LayerType.DENSE, units, activation, null, SpecDefaults.weightInit(activation));
    }

    /** The output layer with the activation its loss assumes and the matching weight initialisation. */
    public static LayerSpec output(int units, Loss loss) {
        Activation activation = SpecDefaults.outputActivation(loss);
        return new LayerSpec(LayerType.OUTPUT, units, activation, loss, SpecDefaults.weightInit(activation));
    }
}
