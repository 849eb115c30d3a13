package dptrain.driver.dl4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dptrain.worker.step.Averaging;
import dptrain.worker.step.GradientClipping;
import dptrain.worker.step.StepSettings;
import java.util.Objects;

/**
 * What an {@link AllReduceTrainingMaster} is configured with (its builder's settings, checked
 * together), and its JSON and YAML form ({@code toJson}/{@code fromJson} of the master).
 *
 * @param workers                  barrier tasks per epoch, each with one shard
 * @param globalBatchSize          examples per iteration, over all workers together
 * @param seed                     shuffling and dropout seed; {@code null}: the network
 *                                 configuration's own seed
 * @param collectiveTimeoutSeconds the longest any all-reduce wait may take before the epoch fails
 * @param epochRetries             relaunches of a failed epoch from its start state
 * @param averaging                gradient averaging every iteration, or parameter averaging
 * @param clipping                 bound on the averaged gradient, or none
 */
public record AllReduceSettings(int workers, int globalBatchSize, Long seed, int collectiveTimeoutSeconds,
                                int epochRetries, Averaging averaging, GradientClipping clipping) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public AllReduceSettings {
        Objects.requireNonNull(averaging, "averaging");
        Objects.requireNonNull(clipping, "clipping");
        positive("workers", workers);
        positive("globalBatchSize", globalBatchSize);
        positive("collectiveTimeoutSeconds", collectiveTimeoutSeconds);
        retries(epochRetries);
        if (globalBatchSize < workers) {
            throw new IllegalArgumentException("globalBatchSize: " + globalBatchSize + " is less than workers ("
                    + workers + "); every worker needs at least one example of each global batch");
        }
    }

    /** Every rank's step: the averaging and clipping set, no monitoring probes. */
    StepSettings step() {
        return new StepSettings(averaging, clipping, 0);
    }

    /** A valid {@code epochRetries}: 0 or more. */
    static int retries(int epochRetries) {
        if (epochRetries < 0) {
            throw new IllegalArgumentException("epochRetries: " + epochRetries + " is negative; 0 means no retry");
        }
        return epochRetries;
    }

    static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " is not positive");
        }
    }

    /**
     * A bound of {@code kind} named {@code name} in the builder, in place of {@code current}: a
     * positive finite threshold, and not a bound of the other kind already set.
     */
    static GradientClipping clipping(String name, GradientClipping.Kind kind, double threshold,
                                     GradientClipping current) {
        if (!(threshold > 0 && Double.isFinite(threshold))) {
            throw new IllegalArgumentException(name + ": " + threshold + " is not a positive bound");
        }
        if (current.kind() != GradientClipping.Kind.NONE && current.kind() != kind) {
            throw new IllegalStateException(name + ": " + (kind == GradientClipping.Kind.NORM ? "clipValue"
                    : "clipNorm") + " was already set to " + current.threshold() + "; set one of the two");
        }
        return new GradientClipping(kind, threshold);
    }

    String toJson() {
        return write(JSON, "JSON");
    }

    String toYaml() {
        return write(YAML, "YAML");
    }

    static AllReduceSettings fromJson(String json) {
        return read(JSON, json);
    }

    static AllReduceSettings fromYaml(String yaml) {
        return read(YAML, yaml);
    }

    private String write(ObjectMapper mapper, String format) {
        try {
            return mapper.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the settings as " + format, e);
        }
    }

    private static AllReduceSettings read(ObjectMapper mapper, String text) {
        try {
            return mapper.readValue(text, AllReduceSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an AllReduceTrainingMaster's settings: " + e.getOriginalMessage(),
                    e);
        }
    }
}
