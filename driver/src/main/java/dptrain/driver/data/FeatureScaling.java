package dptrain.driver.data;

import java.io.Serializable;

/**
 * The affine feature normalisation {@code x' = (x - offset[j]) / divisor[j]}, with statistics taken
 * from the training split. Stored with the model so scoring applies exactly the same transform.
 */
public record FeatureScaling(float[] offset, float[] divisor) implements Serializable {

    public static FeatureScaling identity(int featureCount) {
        float[] ones = new float[featureCount];
        java.util.Arrays.fill(ones, 1f);
        return new FeatureScaling(new float[featureCount], ones);
    }
}
