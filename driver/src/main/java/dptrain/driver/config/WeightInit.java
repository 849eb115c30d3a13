package dptrain.driver.config;

/** Weight initialisation schemes of a job spec. */
public enum WeightInit {
    /** Glorot and Bengio (2010): normal with variance 2 / (fanIn + fanOut). */
    XAVIER,
    /** He et al. (2015), also spelled {@code relu}: normal with variance 2 / fanIn. */
    HE,
    /** Uniform in [-a, a] with a = 1 / sqrt(fanIn) (DL4J's UNIFORM). */
    UNIFORM,
    /** Normal (truncated at two standard deviations) with standard deviation 1 / sqrt(fanIn) (DL4J's NORMAL). */
    NORMAL
}
