package dptrain.driver.data;

import dptrain.driver.BadInputException;

/** The data is unusable; the message names the file or column, the value and what is allowed. */
public final class DataException extends BadInputException {

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
