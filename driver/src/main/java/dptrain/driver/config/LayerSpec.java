package dptrain.driver.config;

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
}
