package dptrain.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One version of a registry, as its {@code meta.json} describes it.
 *
 * @param name   {@code v0001}, ...
 * @param number the number in the name
 * @param meta   the {@code meta.json} object: {@code status} ({@code promoted} or {@code rejected}),
 *               {@code reason}, {@code created_at}, {@code parent}, {@code spec_sha256}, {@code metric},
 *               {@code candidate_metric}, {@code current_metric}, {@code data}
 */
public record RegistryVersion(String name, int number, JsonNode meta) {

    public static final String PROMOTED = "promoted";
    public static final String REJECTED = "rejected";

    public String status() {
        return meta.path("status").asText("");
    }

    public boolean promoted() {
        return PROMOTED.equals(status());
    }
}
