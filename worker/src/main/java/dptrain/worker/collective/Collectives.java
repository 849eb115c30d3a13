package dptrain.worker.collective;

import java.util.Arrays;
import java.util.Locale;

/** Opens the collective an epoch's ranks use: memory where they share a JVM, else the TCP ring. */
public final class Collectives {

    /** The Spark configuration key that chooses the transport, and its values. */
    public static final String CONF_KEY = "spark.dptrain.collective";
    public static final String AUTO = "auto";
    public static final String RING = "ring";

    private Collectives() {
    }

    /**
     * The transport named by {@value #CONF_KEY}: {@value #AUTO} (memory when every rank is in one
     * JVM, else the ring) or {@value #RING} (always the authenticated TCP ring).
     *
     * @throws IllegalArgumentException for any other value, with the line to show
     */
    public static String checkChoice(String value) {
        String choice = value == null ? AUTO : value.trim().toLowerCase(Locale.ROOT);
        if (!choice.equals(AUTO) && !choice.equals(RING)) {
            throw new IllegalArgumentException(CONF_KEY + ": must be " + AUTO + " or " + RING + ", got '" + value
                    + "'");
        }
        return choice;
    }

    /**
     * Joins the group as {@code rank} of {@code size}. With {@code choice} {@value #AUTO} the ranks
     * first tell each other which JVM they run in (one round of {@code rendezvous}); if it is the
     * same for all, they exchange through memory ({@link LocalCollective}, keyed by the settings'
     * tag), otherwise, and always with {@value #RING}, they build the TCP ring ({@link RingCollective#open}).
     */
    public static Collective open(int rank, int size, Rendezvous rendezvous, CollectiveSettings settings,
                                  String choice) {
        if (size > 1 && checkChoice(choice).equals(AUTO)) {
            String[] jvms = rendezvous.allGather(LocalCollective.JVM);
            if (jvms != null && jvms.length == size && Arrays.stream(jvms).allMatch(LocalCollective.JVM::equals)) {
                return LocalCollective.join(settings.sessionTag(), rank, size, settings.timeoutNanos());
            }
        }
        return RingCollective.open(rank, size, rendezvous, settings);
    }
}
