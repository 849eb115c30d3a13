package dptrain.driver.config;

/** Loss functions of a job spec; the loss decides classification versus regression. */
public enum Loss {
    MSE(Task.REGRESSION),
    MAE(Task.REGRESSION),
    /** Binary cross-entropy (sigmoid outputs, one output per independent label). */
    BCE(Task.CLASSIFICATION),
    /** Multi-class cross-entropy (softmax outputs, one output per class). */
    MCXENT(Task.CLASSIFICATION);

    private final Task task;

    Loss(Task task) {
        this.task = task;
    }

    public Task task() {
        return task;
    }
}
