package dptrain.driver.config;

/** Layer kinds of a job spec; which keys each kind takes is decided in {@link LayerSpec#keys}. */
public enum LayerType {
    DENSE,
    OUTPUT,
    /** Drops a fraction of its inputs during training (inverted dropout); identity at inference. */
    DROPOUT,
    /** Batch normalisation over the batch (and, after convolutions, over positions) per feature/channel. */
    BATCH_NORM,
    /** 2D convolution over {@code [channels, height, width]} inputs. */
    CONVOLUTION,
    /** 2D max or average pooling (DL4J's subsampling layer). */
    POOLING,
    /** Max or average over all positions of each channel: {@code [c, h, w]} becomes {@code c} values. */
    GLOBAL_POOLING,
    /**
     * Marks where images become vectors. DL4J inserts this reshaping itself in front of the first
     * dense layer after a convolutional one, so the layer is accepted (Keras users write it) and
     * adds nothing to the network.
     */
    FLATTEN
}
