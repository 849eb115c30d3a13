package dptrain.worker.collective;

import java.util.Locale;

/**
 * Whether the all-reduce encrypts its frames ({@link CollectiveSettings#encrypted()}): by default
 * exactly when Spark encrypts its own traffic, so a cluster that asks for encryption gets it on
 * every channel, dptrain's included; or always, or never, when the job says so.
 */
public enum AllReduceEncryption {
    /** Encrypt when Spark's network encryption or SSL is on (the default). */
    AUTO,
    /** Always encrypt. */
    TRUE,
    /** Never encrypt: frames travel in clear after the authenticated handshake. */
    FALSE;

    /**
     * Parses {@code auto}, {@code true} or {@code false} (any case, surrounding blanks ignored);
     * anything else fails with a line naming {@code key}, the value and what is allowed.
     */
    public static AllReduceEncryption parse(String key, String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "auto" -> AUTO;
            case "true" -> TRUE;
            case "false" -> FALSE;
            default -> throw new IllegalArgumentException(key + ": unknown value '" + value
                    + "'; use auto (the default: encrypt when Spark encrypts), true or false");
        };
    }

    /** Whether to encrypt, given whether Spark encrypts its own traffic. */
    public boolean encrypts(boolean sparkEncrypts) {
        return this == TRUE || this == AUTO && sparkEncrypts;
    }
}
