package dptrain.driver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The keys of {@code dptrain retrain}: {@code registry}, {@code retrain}, {@code data.since}, {@code data.partition_column}. */
class RetrainSpecTest {

    private static final String CSV = """
            data:
              format: csv
              train: hdfs://nn:8020/events
              label: y
            model:
              layers:
                - {units: 8}
                - {type: output, units: 3, loss: mcxent}
            output:
              dir: hdfs://nn:8020/runs/events/
            """;

    private static final String REGRESSION = """
            data: {format: parquet, train: /data/t, label: y}
            model:
              layers:
                - {type: output, units: 1, loss: mse}
            output: {dir: /runs/r}
            """;

    @Test
    void absentKeysTakeTheirDefaults() {
        JobSpec spec = SpecLoader.parse(CSV, "spec.yaml", List.of());

        assertEquals(new RetrainSpec("hdfs://nn:8020/runs/events/models", RetrainMetric.AUTO, 0.0), spec.retrain());
        assertNull(spec.data().since());
        assertEquals("date", spec.data().partitionColumn());
        assertEquals(RetrainMetric.ACCURACY, spec.retrain().metricFor(Task.CLASSIFICATION));
        assertEquals(RetrainMetric.MSE, SpecLoader.parse(REGRESSION, "r.yaml", List.of()).retrain()
                .metricFor(Task.REGRESSION));
    }

    @Test
    void everyKeyIsReadAndSurvivesTheCanonicalJson() {
        String yaml = CSV + """
                registry:
                  dir: s3a://bucket/models
                retrain:
                  metric: loss
                  min_improvement: 0.01
                """;
        JobSpec spec = SpecLoader.parse(yaml, "spec.yaml", List.of("data.since=2026-11-02", "data.partition_column=day"));

        assertEquals(new RetrainSpec("s3a://bucket/models", RetrainMetric.LOSS, 0.01), spec.retrain());
        assertEquals("2026-11-02", spec.data().since());
        assertEquals("day", spec.data().partitionColumn());
        assertEquals(RetrainMetric.LOSS, spec.retrain().metricFor(Task.CLASSIFICATION));
        assertEquals(spec, SpecJson.fromJson(SpecJson.toJson(spec)));
    }

    @Test
    void aDateInTheYamlIsReadAsTheDate() {
        JobSpec spec = SpecLoader.parse(CSV.replace("label: y", "label: y\n  since: 2026-11-02"), "spec.yaml",
                List.of());

        assertEquals("2026-11-02", spec.data().since());
    }

    @Test
    void aRelativeDateIsCountedBackFromTodayAndStoredAsTheDate() {
        LocalDate today = LocalDate.of(2026, 3, 2);

        assertEquals("2026-03-02", SpecRules.date("data.since", "today", today));
        assertEquals("2026-03-01", SpecRules.date("data.since", "today-1d", today));
        assertEquals("2026-02-23", SpecRules.date("data.since", "today-7d", today));
        assertEquals("2025-03-02", SpecRules.date("data.since", "today-365d", today));
        assertEquals("2026-02-27", SpecRules.date("data.since", "2026-02-27", today));
    }

    @Test
    void aRelativeDateInTheSpecIsTheDateOfTheDayItIsRead() {
        LocalDate before = LocalDate.now(ZoneOffset.UTC);
        JobSpec spec = SpecLoader.parse(CSV, "spec.yaml", List.of("data.since=today-1d"));
        LocalDate after = LocalDate.now(ZoneOffset.UTC);

        String since = spec.data().since();
        assertTrue(since.equals(before.minusDays(1).toString()) || since.equals(after.minusDays(1).toString()), since);
        // what a run records (SpecJson, the spec hash) is the date, not the words
        assertTrue(SpecJson.toJson(spec).contains("\"since\":\"" + since + "\""), SpecJson.toJson(spec));
    }

    @Test
    void theJsonOfAnOlderSpecWithoutTheKeysReadsAsTheDefaults() {
        JobSpec spec = SpecLoader.parse(CSV, "spec.yaml", List.of());
        String older = SpecJson.toJson(spec).replace(",\"since\":null,\"partition_column\":\"date\"", "")
                .replace(",\"registry\":{\"dir\":\"hdfs://nn:8020/runs/events/models\"}", "")
                .replace(",\"retrain\":{\"metric\":\"auto\",\"min_improvement\":0.0}", "");

        assertEquals(spec, SpecJson.fromJson(older));
    }

    static Stream<Arguments> badOverrides() {
        return Stream.of(
                arguments(CSV, "data.since=2026-13-01", "data.since: expected a date YYYY-MM-DD, today or today-Nd (N days before today, UTC), got '2026-13-01'"),
                arguments(CSV, "data.since=yesterday", "data.since: expected a date YYYY-MM-DD, today or today-Nd (N days before today, UTC), got 'yesterday'"),
                arguments(CSV, "data.since=today-7", "data.since: expected a date YYYY-MM-DD, today or today-Nd"
                        + " (N days before today, UTC), got 'today-7'"),
                arguments(CSV.replace("format: csv", "format: libsvm").replace("  label: y\n", ""),
                        "data.since=2026-11-01", "data.since: not allowed for format libsvm; only for csv, parquet,"
                                + " table, delta, other Spark sources"),
                arguments(CSV, "data.partition_column=event-day",
                        "data.partition_column: expected a column name (letters, digits, _), got 'event-day'"),
                arguments(CSV, "retrain.metric=f1",
                        "retrain.metric: unknown value 'f1'; allowed: auto, accuracy, loss, mse, mae, r2"),
                arguments(CSV, "retrain.metric=r2",
                        "retrain.metric: r2 is not computed for a classification job; allowed: auto, accuracy, loss"),
                arguments(REGRESSION, "retrain.metric=accuracy",
                        "retrain.metric: accuracy is not computed for a regression job; allowed: auto, loss, mse, mae, r2"),
                arguments(CSV, "retrain.min_improvement=-0.1",
                        "retrain.min_improvement: must be >= 0, got -0.1"),
                arguments(CSV, "registry.dir=''", "registry.dir: must not be empty, got \"\""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badOverrides")
    void badValuesAreOneLineNamingTheKey(String yaml, String override, String message) {
        SpecException error = assertThrows(SpecException.class, () -> SpecLoader.parse(yaml, "spec.yaml",
                List.of(override)));

        assertEquals(message, error.getMessage());
    }
}
