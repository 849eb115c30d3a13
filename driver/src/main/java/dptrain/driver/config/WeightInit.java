package dptrain.driver.config;

/** Weight initialisation schemes of a job spec. */
public enum WeightInit {
    XAVIER,
    /** He et al. (2015), also spelled {@code relu}. */
    HE
}
