package dptrain.driver.config;

/** Loss functions of a job spec; the loss decides classification versus regression. */
public enum Loss {
    MSE(Task.REGRESSION),
    MAE(Task.REGRESSION),
    /** Huber loss with delta 1: squared error near 0, absolute error beyond (robust regression). */
    HUBER(Task.REGRESSION),
    /** Binary cross-entropy (sigmoid outputs, one output per independent label). */
    BCE(Task.CLASSIFICATION),
    /** Multi-class cross-entropy (softmax outputs, one output per class). */
    MCXENT(Task.CLASSIFICATION),
    /**
     * Multi-class cross-entropy with the label given as the class index (one column) instead of a
     * one-hot row: the same loss and gradients as {@link #MCXENT}, a narrower label array.
     */
    SPARSE_MCXENT(Task.CLASSIFICATION);

    private final Task task;

    Loss(Task task) {
        this.task = task;
    }

    public Task task() {
        return task;
    }
}
