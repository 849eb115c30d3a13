package dptrain.driver.config;

/** Feature normalisation; statistics always come from the training split only. */
public enum Normalization {
    /** Features as read. */
    NONE,
    /** Zero mean, unit variance per feature (constant features are only centred). */
    STANDARD,
    /** Each feature mapped to [0, 1] by its min and max (constant features become 0). */
    MINMAX,
    /** Every feature divided by {@code data.scale} (e.g. 255 for 8-bit pixels). */
    SCALE
}
