package dptrain.driver.engine;

import dptrain.worker.task.DivergenceException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link DivergenceException} found in a failure as the driver sees it. Spark wraps a task's
 * exception several times; when the class cannot be carried (a task failure that reached the
 * driver only as text), the class name and message in the text still identify it.
 *
 * @param epoch     the epoch that diverged (1-based)
 * @param iteration the global iteration
 * @param message   "training diverged at epoch E, iteration I: what"
 */
record Divergence(int epoch, int iteration, String message) {

    private static final String CLASS = "dptrain.worker.task.DivergenceException";
    private static final Pattern TEXT = Pattern.compile(
            Pattern.quote(CLASS) + ": (training diverged at epoch (\\d+), iteration (\\d+): [^\\r\\n]*)");

    /** The divergence anywhere in {@code failure}'s cause chain, by class, by class name, or by text. */
    static Optional<Divergence> in(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DivergenceException divergence) {
                return Optional.of(new Divergence(divergence.epoch(), divergence.iteration(), divergence.getMessage()));
            }
            Optional<Divergence> byText = fromText(cause.getClass().getName().equals(CLASS)
                    ? CLASS + ": " + cause.getMessage() : cause.getMessage());
            if (byText.isPresent()) {
                return byText;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }

    private static Optional<Divergence> fromText(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = TEXT.matcher(text);
        if (!matcher.find()) {
            return Optional.empty();
        }
        return Optional.of(new Divergence(Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)),
                matcher.group(1)));
    }
}
