package dptrain.driver.engine;

import dptrain.worker.device.DeviceBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why an epoch attempt failed, read once from what the driver sees, and whether another attempt
 * can help. Relaunching costs a whole epoch of compute, so a failure that will happen again the
 * same way (the same state, data and settings give the same result) stops at once with the setting
 * that fixes it. Everything else (a lost executor, a timeout, a reset connection, a peer that failed
 * authentication, a fetch failure, and any failure not recognised here) is transient and relaunched
 * as before: a wrong "transient" costs epochs, a wrong "deterministic" costs the run.
 *
 * <p>A task's exception reaches the driver mostly as text: a barrier stage aborts with
 * {@code Job aborted due to stage failure: Could not recover from a failed barrier ResultStage. Most
 * recent failure reason: Stage failed because barrier task ResultTask(s, p) finished
 * unsuccessfully.} followed by the task's stack trace, without the exception itself. So every kind
 * is recognised by its class where it is carried and by Spark 3.5's text where it is not.
 * Divergence, also deterministic, has its own remedy ({@link Divergence}, the rollback policy).
 *
 * @param kind   what failed
 * @param reason what the user reads after "epoch N cannot run: " (or the transient failure's own line)
 */
record EpochFailure(Kind kind, String reason) {

    /** What failed; all but {@link #TRANSIENT} fail the same way on every attempt. */
    enum Kind {
        /** The executors' device cannot train (an unsupported GPU, no GPU with training.device: gpu). */
        DEVICE("cannot run"),
        /** The ranks' results together exceed {@code spark.driver.maxResultSize}. */
        RESULTS_TOO_LARGE("cannot finish"),
        /** A rank ran out of memory. */
        OUT_OF_MEMORY("cannot finish"),
        /** The task or its result cannot cross between driver and executors: a build or deployment error. */
        DEPLOYMENT("cannot run"),
        /** The cluster has fewer task slots than ranks, and Spark has stopped waiting for more. */
        TOO_FEW_SLOTS("cannot run"),
        /** Anything else: relaunch from the epoch-start state. */
        TRANSIENT("failed");

        private final String verb;

        Kind(String verb) {
            this.verb = verb;
        }

        boolean repeats() {
            return this != TRANSIENT;
        }
    }

    private static final Pattern DEVICE_UNAVAILABLE = Pattern.compile(
            Pattern.quote(DeviceBinding.DeviceUnavailableException.class.getName()) + ": ([^\\r\\n]*)");
    /** TaskSetManager.canFetchMoreResults; the sizes are Spark's Utils.bytesToString. */
    private static final Pattern RESULTS_TOO_LARGE = Pattern.compile("Total size of serialized results of \\d+ tasks"
            + " \\(([^)]+)\\) is bigger than spark\\.driver\\.maxResultSize \\(([^)]+)\\)");
    private static final Pattern OUT_OF_MEMORY = Pattern.compile(
            "((?:java\\.lang\\.|org\\.apache\\.spark\\.memory\\.Spark)OutOfMemoryError(?:: [^\\r\\n]*)?)");
    private static final Pattern NOT_SERIALIZABLE = Pattern.compile(
            "(?:java\\.io\\.NotSerializableException|had a not serializable result): ([\\w.$]+)");
    private static final Pattern CLASS_NOT_FOUND = Pattern.compile(
            "java\\.lang\\.(ClassNotFoundException|NoClassDefFoundError): ([\\w.$/]+)");
    private static final Pattern CLASS_INCOMPATIBLE = Pattern.compile(
            "java\\.io\\.InvalidClassException: ([\\w.$]+); local class incompatible");
    /**
     * BarrierJobSlotsNumberCheckFailed: Spark checks the slots when it submits the stage and gives
     * up after spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures checks (40, 15 s apart).
     * BarrierStages refuses too few slots before training; this is executors lost since then.
     */
    private static final String TOO_FEW_SLOTS = "requires more slots than the total number of slots in the cluster";
    private static final long GIB = 1L << 30;

    /** The kind of {@code failure}: the first deterministic kind found in its cause chain, else transient. */
    static EpochFailure of(Throwable failure) {
        List<String> texts = texts(failure);
        List<Function<String, Optional<EpochFailure>>> kinds = List.of(EpochFailure::device,
                EpochFailure::resultsTooLarge, EpochFailure::outOfMemory, EpochFailure::deployment,
                EpochFailure::tooFewSlots);
        for (Function<String, Optional<EpochFailure>> kind : kinds) {
            for (String text : texts) {
                Optional<EpochFailure> found = kind.apply(text);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        return new EpochFailure(Kind.TRANSIENT, rootMessage(failure));
    }

    /**
     * The one line that ends training: "epoch N cannot run|finish: why; the setting", or for a
     * transient failure retried to exhaustion "epoch N failed after K attempts: the cause".
     */
    String line(int epoch, int attempts) {
        if (kind.repeats()) {
            return "epoch " + epoch + " " + kind.verb + ": " + reason;
        }
        return "epoch " + epoch + " failed after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": " + reason;
    }

    /**
     * Each throwable of the chain as "class: message" (how Spark writes a task's exception into
     * text, so one pattern reads both), the message alone, and nothing for a null message.
     */
    private static List<String> texts(Throwable failure) {
        List<String> texts = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            texts.add(cause.getMessage() == null ? cause.getClass().getName()
                    : cause.getClass().getName() + ": " + cause.getMessage());
            if (cause.getCause() == cause) {
                break;
            }
        }
        return texts;
    }

    private static Optional<EpochFailure> device(String text) {
        Matcher matcher = DEVICE_UNAVAILABLE.matcher(text);
        return matcher.find() ? Optional.of(new EpochFailure(Kind.DEVICE, matcher.group(1))) : Optional.empty();
    }

    private static Optional<EpochFailure> resultsTooLarge(String text) {
        Matcher matcher = RESULTS_TOO_LARGE.matcher(text);
        if (!matcher.find()) {
            return Optional.empty();
        }
        return Optional.of(new EpochFailure(Kind.RESULTS_TOO_LARGE, "the ranks' results (" + matcher.group(1)
                + ") exceed spark.driver.maxResultSize (" + matcher.group(2) + "); raise spark.driver.maxResultSize"
                + " (e.g. --conf spark.driver.maxResultSize=" + suggestedGib(matcher.group(1)) + "g)"));
    }

    /** Whole GiB above the results with a quarter to spare (1140.5 MiB: 2g), at least 1g. */
    static long suggestedGib(String size) {
        String[] parts = size.split(" ");
        double bytes = Double.parseDouble(parts[0]) * switch (parts.length == 2 ? parts[1] : "B") {
            case "KiB", "KB" -> 1L << 10;
            case "MiB", "MB" -> 1L << 20;
            case "GiB", "GB" -> GIB;
            case "TiB", "TB" -> GIB << 10;
            default -> 1L;
        };
        return Math.max(1, (long) Math.ceil(bytes * 1.25 / GIB));
    }

    private static Optional<EpochFailure> outOfMemory(String text) {
        Matcher matcher = OUT_OF_MEMORY.matcher(text);
        if (!matcher.find()) {
            return Optional.empty();
        }
        String error = matcher.group(1).strip();
        if (error.contains("Requested array size exceeds VM limit")) {
            return Optional.of(new EpochFailure(Kind.OUT_OF_MEMORY, "a rank needed a Java array over 2 GiB (" + error
                    + "); more memory does not help, a smaller model does"));
        }
        return Optional.of(new EpochFailure(Kind.OUT_OF_MEMORY, "a rank ran out of memory (" + error
                + "); raise spark.executor.memory (in local mode the driver's: DPTRAIN_DRIVER_MEMORY)"));
    }

    private static Optional<EpochFailure> deployment(String text) {
        Matcher notSerializable = NOT_SERIALIZABLE.matcher(text);
        if (notSerializable.find()) {
            return Optional.of(new EpochFailure(Kind.DEPLOYMENT, "Spark cannot serialize class "
                    + notSerializable.group(1) + " (java.io.NotSerializableException), which the epoch's task or"
                    + " result carries; a build error that no setting fixes"));
        }
        Matcher notFound = CLASS_NOT_FOUND.matcher(text);
        if (notFound.find()) {
            return Optional.of(new EpochFailure(Kind.DEPLOYMENT, "the executors cannot load class "
                    + notFound.group(2).replace('/', '.') + " (java.lang." + notFound.group(1) + "); a deployment"
                    + " error: run the executors on the same dptrain.jar as the driver (deploy/submit.sh ships it)"));
        }
        Matcher incompatible = CLASS_INCOMPATIBLE.matcher(text);
        if (incompatible.find()) {
            return Optional.of(new EpochFailure(Kind.DEPLOYMENT, "the executors have another version of class "
                    + incompatible.group(1) + " (java.io.InvalidClassException: local class incompatible); a"
                    + " deployment error: run the executors on the same dptrain.jar as the driver (deploy/submit.sh"
                    + " ships it)"));
        }
        return Optional.empty();
    }

    private static Optional<EpochFailure> tooFewSlots(String text) {
        if (!text.contains(TOO_FEW_SLOTS)) {
            return Optional.empty();
        }
        return Optional.of(new EpochFailure(Kind.TOO_FEW_SLOTS, "the cluster now has fewer task slots than"
                + " training.workers, and Spark stopped waiting for more"
                + " (spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures); add executors or lower"
                + " training.workers, then resume from the checkpoint"));
    }

    /** The innermost message that says something: Spark wraps task failures several times. */
    static String rootMessage(Throwable error) {
        String message = error.getMessage();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getClass().getName().startsWith("dptrain.")) {
                message = cause.getMessage();
                break;
            }
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message == null ? error.getClass().getName() : message.lines().findFirst().orElse(message);
    }
}
