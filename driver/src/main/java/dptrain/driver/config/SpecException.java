package dptrain.driver.config;

import dptrain.driver.BadInputException;

/** The job spec is invalid; the message names the key, the value and what is allowed. */
public final class SpecException extends BadInputException {

    public SpecException(String message) {
        super(message);
    }
}
