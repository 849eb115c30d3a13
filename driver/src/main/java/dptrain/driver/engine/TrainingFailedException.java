package dptrain.driver.engine;

/** Training could not go on (an epoch failed on every attempt, ranks diverged). */
public final class TrainingFailedException extends RuntimeException {

    public TrainingFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
