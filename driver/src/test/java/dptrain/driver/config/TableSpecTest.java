package dptrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code data.format: table}, {@code delta} and other Spark sources, with {@code data.options},
 * {@code data.version} and {@code data.timestamp}.
 */
class TableSpecTest {

    private static final String DELTA = """
            data:
              format: delta
              train: s3a://lake/events
              label: y
            model:
              layers:
                - {units: 8}
                - {type: output, units: 3, loss: mcxent}
            output:
              dir: /runs/r
            """;

    @Test
    void aDeltaSpecIsReadAndSurvivesTheCanonicalJson() {
        JobSpec pinned = Specs.parse(DELTA, "data.version=3", "data.options={mergeSchema: true, maxFiles: 10}");
        JobSpec asOf = Specs.parse(DELTA, "data.timestamp=2026-11-23 06:00:00");

        assertEquals(DataFormat.DELTA, pinned.data().format());
        assertEquals(3L, pinned.data().version());
        assertEquals(Map.of("mergeSchema", "true", "maxFiles", "10"), pinned.data().options());
        assertNull(asOf.data().version());
        assertEquals("2026-11-23 06:00:00", asOf.data().timestamp());
        assertEquals(pinned, SpecJson.fromJson(SpecJson.toJson(pinned)));
        assertEquals(asOf, SpecJson.fromJson(SpecJson.toJson(asOf)));
    }

    @Test
    void anyOtherNameIsASparkSourceKeptAsWritten() {
        JobSpec orc = Specs.parse(DELTA, "data.format=orc");
        JobSpec connector = Specs.parse(DELTA, "data.format=com.example.spark.Events", "data.options={region: eu}");
        JobSpec table = Specs.parse(DELTA, "data.format=Table", "data.train=analytics.events",
                "data.since=2026-11-01");

        assertEquals(DataFormat.SOURCE, orc.data().format());
        assertEquals("orc", orc.data().source());
        assertEquals("com.example.spark.Events", connector.data().source());
        assertEquals("com.example.spark.Events", SpecJson.fromJson(SpecJson.toJson(connector)).data().formatName());
        assertEquals(DataFormat.TABLE, table.data().format());
        assertNull(table.data().source());
        assertEquals("table", table.data().formatName());
        assertEquals("2026-11-01", table.data().since());
    }

    /** The canonical JSON of a spec written before these keys existed reads as no options and no pin. */
    @Test
    void olderJsonWithoutTheKeysReadsAsNone() {
        JobSpec spec = Specs.parse(DELTA.replace("format: delta", "format: parquet"));
        String older = SpecJson.toJson(spec).replace(",\"options\":{},\"version\":null,\"timestamp\":null", "");

        assertEquals(spec, SpecJson.fromJson(older));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreOneLineNamingTheKey(String override, String message) {
        String[] overrides = override.split(" ");
        assertEquals(message, assertThrows(SpecException.class, () -> Specs.parse(DELTA, overrides)).getMessage());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("data.version=-1", "data.version: expected a non-negative integer, got -1"),
                arguments("data.version=1.5", "data.version: expected an integer, got 1.5"),
                arguments("data.timestamp=yesterday", "data.timestamp: expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"
                        + " (optionally with a zone), got 'yesterday'"),
                arguments("data.version=3 data.timestamp=2026-11-01",
                        "data.timestamp: cannot be combined with data.version (3); pin one of them, got '2026-11-01'"),
                arguments("data.format=parquet data.version=3",
                        "data.version: not allowed for format parquet; only for delta"),
                arguments("data.format=orc data.timestamp=2026-11-01",
                        "data.timestamp: not allowed for format orc; only for delta"),
                arguments("data.format=csv data.options={a:1}",
                        "data.options: not allowed for format csv; only for delta, other Spark sources"),
                arguments("data.options=[a]",
                        "data.options: expected a mapping such as {mergeSchema: true}, got [\"a\"]"),
                arguments("data.options={a:[1]}", "data.options.a: expected a string, number or boolean, got [1]"),
                arguments("data.format=orc data.header=false",
                        "data.header: not allowed for format orc; only for csv"),
                arguments("data.format=my_source!", "data.format: unknown value 'my_source!'; allowed: idx, csv,"
                        + " parquet, libsvm, table, delta, or a Spark data source name such as orc"),
                arguments("data.format=source", "data.format: unknown value 'source'; allowed: idx, csv,"
                        + " parquet, libsvm, table, delta, or a Spark data source name such as orc"));
    }
}
