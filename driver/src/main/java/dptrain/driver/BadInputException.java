package dptrain.driver;

/**
 * The user's input (spec, data, output location) is wrong. The message is one line that names
 * the key, column or file, the bad value and what is allowed; the CLI prints it without a stack
 * trace and exits non-zero, before anything is written.
 */
public class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
