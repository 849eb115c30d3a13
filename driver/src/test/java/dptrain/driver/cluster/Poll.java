package dptrain.driver.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for something another process does. The limits are generous guards against a hang,
 * not performance assertions: a slow machine waits longer, a stuck process fails with the
 * diagnostics (usually the tail of its log) instead of blocking the build.
 */
final class Poll {

    private static final long INTERVAL_MILLIS = 50;

    private Poll() {
    }

    static void until(Duration limit, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up after " + limit.toSeconds() + " s waiting for " + what + "\n"
                        + diagnostics.get());
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
