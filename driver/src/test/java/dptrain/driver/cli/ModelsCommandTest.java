package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.cli.BadInputTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dptrain models list|promote|rollback} on a registry laid out as {@code dptrain retrain}
 * writes it: v0001 promoted, v0002 rejected, v0003 promoted (current), and v0004 half-written (no
 * {@code meta.json}: a run that died), which every command ignores.
 */
class ModelsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path registry;

    @BeforeEach
    void registry() throws IOException {
        registry = dir.resolve("models");
        version("v0001", "promoted", "2026-11-01T02:00:00Z", 0.81, Double.NaN, "2026-10-01", "2026-10-31");
        version("v0002", "rejected", "2026-11-02T02:00:00Z", 0.805, 0.81, "2026-11-01", "2026-11-01");
        version("v0003", "promoted", "2026-11-03T02:00:00Z", 0.84, 0.81, "2026-11-01", "2026-11-02");
        Files.createDirectories(registry.resolve("v0004"));
        Files.writeString(registry.resolve("current"), "v0003\n");
    }

    private void version(String name, String status, String created, double candidate, double current, String first,
                         String last) throws IOException {
        Path version = Files.createDirectories(registry.resolve(name));
        var meta = JSON.createObjectNode().put("version", name).put("status", status).put("reason", "why " + name)
                .put("created_at", created).put("metric", "val_accuracy").put("candidate_metric", candidate);
        if (Double.isNaN(current)) {
            meta.putNull("current_metric");
        } else {
            meta.put("current_metric", current);
        }
        meta.putObject("data").put("train", "hdfs:///events").put("first", first).put("last", last);
        Files.writeString(version.resolve("meta.json"), meta.toPrettyString());
        Files.writeString(version.resolve("model.zip"), "model of " + name);
    }

    private Result models(String... args) {
        String[] all = Stream.concat(Stream.of("models"), Stream.of(args)).toArray(String[]::new);
        return BadInputTest.cli(all);
    }

    @Test
    void listPrintsEveryCompleteVersionWithTheCurrentOneMarked() {
        Result result = models("list", "--registry", registry.toString());

        assertEquals(0, result.code(), result.err());
        assertEquals(String.join("\n",
                "   version  created               metric        candidate  previous  data                    status",
                "   v0001    2026-11-01T02:00:00Z  val_accuracy  0.8100     -         2026-10-01..2026-10-31  promoted",
                "   v0002    2026-11-02T02:00:00Z  val_accuracy  0.8050     0.8100    2026-11-01..2026-11-01  rejected",
                "*  v0003    2026-11-03T02:00:00Z  val_accuracy  0.8400     0.8100    2026-11-01..2026-11-02  promoted",
                ""), result.out());
    }

    @Test
    void promoteMovesThePointerAndMarksARejectedVersionPromotedByHand() throws IOException {
        Result result = models("promote", "v0002", "--registry", registry.toString());

        assertEquals(0, result.code(), result.err());
        assertEquals("dptrain: current: v0003 -> v0002\n", result.out());
        assertEquals("v0002\n", Files.readString(registry.resolve("current")));
        JsonNode meta = JSON.readTree(registry.resolve("v0002/meta.json").toFile());
        assertEquals("promoted", meta.path("status").asText());
        assertTrue(meta.path("reason").asText().startsWith("promoted by hand at "), meta.path("reason").asText());
        assertTrue(meta.path("reason").asText().endsWith("; when trained: why v0002"), meta.path("reason").asText());
    }

    @Test
    void rollbackGoesToThePreviousPromotedVersionSkippingRejectedOnes() throws IOException {
        Result result = models("rollback", "--registry", registry.toString());

        assertEquals(0, result.code(), result.err());
        assertEquals("dptrain: current: v0003 -> v0001\n", result.out());
        assertEquals("v0001\n", Files.readString(registry.resolve("current")));

        Result again = models("rollback", "--registry", registry.toString());

        assertEquals(2, again.code());
        assertEquals("dptrain: error: models rollback: no promoted version before v0001 in file:" + registry
                + " to roll back to\n", again.err());
        assertEquals("v0001\n", Files.readString(registry.resolve("current")));
    }

    @Test
    void badInputIsOneLineWithExitTwoAndChangesNothing() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "x");
        Map<List<String>, String> cases = Map.of(
                List.of("promote", "v0009", "--registry", registry.toString()),
                "models promote: unknown version 'v0009' in file:" + registry + "; versions: v0001, v0002, v0003",
                List.of("promote", "v0004", "--registry", registry.toString()),
                "models promote: unknown version 'v0004' in file:" + registry + "; versions: v0001, v0002, v0003",
                List.of("rollback", "--registry", empty.toString()),
                "models rollback: the registry file:" + empty + " has no versions yet; dptrain retrain adds them",
                List.of("promote", "v0001", "--registry", empty.toString()),
                "models promote: the registry file:" + empty + " has no versions yet; dptrain retrain adds them",
                List.of("list", "--registry", other.toString()),
                "--registry: file:" + other + " is not a model registry (it holds 'notes.txt'; a registry holds"
                        + " v0001/, v0002/, ... and current)",
                List.of("list", "--registry", dir.resolve("missing").toString()),
                "--registry: no model registry at file:" + dir.resolve("missing") + " (not found)",
                List.of("list"),
                "models list: --registry is required; see dptrain models --help",
                List.of("promote", "--registry", registry.toString()),
                "expected 'models list|promote <version>|rollback --registry <dir>', got 'models promote --registry "
                        + registry + "'",
                List.of("delete", "v0001", "--registry", registry.toString()),
                "expected 'models list|promote <version>|rollback --registry <dir>', got 'models delete v0001 --registry "
                        + registry + "'");
        Map<String, byte[]> before = files(dir);
        for (Map.Entry<List<String>, String> bad : cases.entrySet()) {
            Result result = models(bad.getKey().toArray(String[]::new));

            assertEquals(2, result.code(), bad.getKey().toString());
            assertEquals("dptrain: error: " + bad.getValue() + "\n", result.err(), bad.getKey().toString());
            assertEquals("", result.out(), bad.getKey().toString());
        }
        Map<String, byte[]> after = files(dir);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    }

    @Test
    void anEmptyRegistryListsNothingAndHelpPrintsTheUsage() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        Result list = models("list", "--registry", empty.toString());
        Result help = models("--help");

        assertEquals(0, list.code(), list.err());
        assertEquals("dptrain: the registry file:" + empty + " has no versions yet\n", list.out());
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("usage: dptrain models list --registry <dir>\n"), help.out());
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }
}
