package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The comparison table (Markdown) and the same numbers as JSON. */
final class Report {

    private static final long TRAIN_ROWS = 60_000;
    private static final String BASELINE_SYSTEM = "DL4J single process";

    private final Machine machine;
    private final LocalDateTime when;
    private final int epochs;
    private final List<Measurement> measurements;
    private final List<ObjectNode> gemm;

    Report(Machine machine, LocalDateTime when, int epochs, List<Measurement> measurements, List<ObjectNode> gemm) {
        this.machine = machine;
        this.when = when;
        this.epochs = epochs;
        this.measurements = measurements;
        this.gemm = gemm;
    }

    /** Per system, its fastest variant (by median epoch time), in the order the systems ran. */
    List<Measurement> fastestPerSystem() {
        Map<String, Measurement> best = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            best.merge(m.system(), m, (a, b) -> !a.ok() ? b : !b.ok() ? a
                    : (b.medianEpochSeconds() < a.medianEpochSeconds() ? b : a));
        }
        return new ArrayList<>(best.values());
    }

    private Optional<Measurement> baseline() {
        return fastestPerSystem().stream().filter(m -> m.system().equals(BASELINE_SYSTEM) && m.ok()).findFirst();
    }

    static double flopsPerEpoch() {
        return 6.0 * Mlp.weightCount() * TRAIN_ROWS;
    }

    private Optional<ObjectNode> gemmRun(String id) {
        return gemm.stream().filter(g -> g.path("id").asText().equals(id) && g.path("status").asText().equals("ok"))
                .findFirst();
    }

    private Optional<Double> pairGflops() {
        List<ObjectNode> pair = gemm.stream().filter(g -> g.path("mode").asText().equals("two at once")).toList();
        if (pair.size() != 2) {
            return Optional.empty();
        }
        return Optional.of(Math.min(pair.get(0).get("gflops").asDouble(), pair.get(1).get("gflops").asDouble()));
    }

    /** Measured per-sample compute of one single-threaded dptrain worker (all-reduce time excluded). */
    private Optional<Double> secondsPerSample() {
        for (String id : List.of("dptrain-w1-omp1", "dptrain-w2-omp1")) {
            for (Measurement m : measurements) {
                if (m.id().equals(id) && m.ok()) {
                    int workers = id.contains("-w2-") ? 2 : 1;
                    return Optional.of(m.medianEpochSeconds() * (1 - m.medianAllReduceShare()) * workers
                            / m.trainRows());
                }
            }
        }
        return Optional.empty();
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Benchmark: Fashion-MNIST MLP, ").append(when.format(DateTimeFormatter.ISO_LOCAL_DATE))
                .append("\n\n");
        out.append("Date: ").append(when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append("  \n");
        out.append("Machine: ").append(machine.line()).append("  \n");
        out.append("Job: Fashion-MNIST IDX (pixels/255), 60,000 train / 10,000 test rows; MLP 784-256(relu)-128(relu)"
                + "-10(softmax, mcxent), He/Xavier init, Adam lr 0.001, global batch 64; ").append(epochs)
                .append(" epochs per system; each system in its own JVM, one at a time, -Xmx8g.\n\n");
        out.append("Median epoch = median training time of epochs 2..").append(epochs)
                .append(" (epoch 1 is the warm-up); x DL4J = median epoch / DL4J single process's (lower is faster);"
                        + " time to 0.88 = training seconds (warm-up epoch included, evaluation excluded) until the"
                        + " test accuracy first reaches 0.88; peak RSS = VmHWM of the JVM (local mode: driver and"
                        + " executors are that one JVM); all-reduce share = median over epochs 2.. of the slowest"
                        + " rank's time in the all-reduce over its training time, and in brackets the part of it spent"
                        + " waiting for the last rank to arrive at each call; other load = cores busy with other"
                        + " processes meanwhile"
                        + " (the machine is shared).\n\n");
        double base = baseline().map(Measurement::medianEpochSeconds).orElse(Double.NaN);
        out.append("| System | Threads | Median epoch (s) | x DL4J | Samples/s | Test accuracy after each epoch |"
                + " Time to 0.88 | Peak RSS | All-reduce share | Wall (s) | Other load |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Measurement m : fastestPerSystem()) {
            out.append(row(m, base)).append('\n');
        }
        ceilingRows(base).forEach(line -> out.append(line).append('\n'));
        out.append('\n');

        out.append("## Every variant\n\n| Variant | Config | Threads | Median epoch (s) | Epoch times (s) |"
                + " Final test accuracy | Peak RSS | Other load | Notes |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Measurement m : measurements) {
            out.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", m.id(), m.config(),
                    m.threads(), seconds(m.ok() ? m.medianEpochSeconds() : Double.NaN),
                    m.epochSeconds().stream().map(s -> String.format("%.2f", s)).collect(Collectors.joining(" ")),
                    fraction(m.ok() ? m.finalAccuracy() : Double.NaN), rss(m), load(m), m.status().equals("ok")
                            ? m.notes() : m.status() + ": " + m.notes()));
        }
        out.append('\n');

        out.append("## The ceiling: gemm only\n\n");
        out.append(String.format("FLOPs per epoch (matrix products only, from the shapes: 6 x %d weights x %d"
                + " samples) = %.2f GFLOP.%n%n", Mlp.weightCount(), TRAIN_ROWS, flopsPerEpoch() / 1e9));
        out.append("| Run | Batch | Threads | Mode | GFLOP/s | us per iteration | Other load |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (ObjectNode g : gemm) {
            if (!g.path("status").asText().equals("ok")) {
                out.append("| ").append(g.path("id").asText()).append(" | | | | ").append(g.path("status").asText())
                        .append(" | | |\n");
                continue;
            }
            out.append(String.format("| %s | %d | %d | %s | %.1f | %.0f | %.2f cores |%n", g.get("id").asText(),
                    g.get("batch").asInt(), g.get("threads").asInt(), g.get("mode").asText(),
                    g.get("gflops").asDouble(), g.get("seconds_per_iteration").asDouble() * 1e6,
                    g.get("other_cpu_cores").asDouble()));
        }
        out.append('\n');

        secondsPerSample().ifPresent(perSample -> {
            out.append("## Beyond one machine, on paper\n\n");
            ScalingModel model = new ScalingModel(perSample, ScalingModel.parameterCount() * 4, TRAIN_ROWS);
            out.append(model.markdown()).append('\n');
            out.append(scalingCheck(model)).append('\n');
        });
        return out.toString();
    }

    private String scalingCheck(ScalingModel model) {
        StringBuilder out = new StringBuilder("Check against the measured runs on this machine: ");
        for (Measurement m : measurements) {
            if (!m.ok() || !m.id().startsWith("dptrain-")) {
                continue;
            }
            int workers = m.id().contains("-w2-") ? 2 : 1;
            double iterations = Math.ceil(m.trainRows() / 64.0);
            double tar = m.medianEpochSeconds() * m.medianAllReduceShare() / iterations;
            double tc = m.medianEpochSeconds() * (1 - m.medianAllReduceShare()) / iterations;
            out.append(String.format("%s: T_c %.2f ms, T_ar %.3f ms per iteration (measured efficiency %.0f%%; the"
                            + " model at 10 Gb/s would give T_ar %.3f ms). ", m.id(), tc * 1e3, tar * 1e3,
                    100 * (1 - m.medianAllReduceShare()), ScalingModel.allReduceSeconds(workers, 10,
                            ScalingModel.parameterCount() * 4) * 1e3));
        }
        return out.toString();
    }

    private List<String> ceilingRows(double base) {
        List<String> rows = new ArrayList<>();
        gemmRun("gemm-b64-omp2").ifPresent(g -> rows.add(ceilingRow("Ceiling: gemm FLOP-bound epoch, 1 process,"
                + " batch 64", "2 threads", flopsPerEpoch() / (g.get("gflops").asDouble() * 1e9), base)));
        gemmRun("gemm-b32-omp1").ifPresent(g -> rows.add(ceilingRow("Ceiling: 2 single-threaded workers, batch 32"
                + " each (each gemm loop measured alone)", "1 thread each",
                flopsPerEpoch() / 2 / (g.get("gflops").asDouble() * 1e9), base)));
        pairGflops().ifPresent(gflops -> rows.add(ceilingRow("Ceiling: 2 single-threaded workers, batch 32 each"
                + " (two gemm loops measured at once)", "1 thread each", flopsPerEpoch() / 2 / (gflops * 1e9), base)));
        return rows;
    }

    private static String ceilingRow(String name, String threads, double epochSeconds, double base) {
        return String.format("| %s | %s | %.2f | %s | %.0f | - | - | - | - | - | - |", name, threads, epochSeconds,
                ratio(epochSeconds, base), TRAIN_ROWS / epochSeconds);
    }

    private static String row(Measurement m, double base) {
        if (!m.ok()) {
            return String.format("| %s | %s | %s | | | | | | | | |", m.system(), m.threads(), m.status());
        }
        if (m.epochSeconds().isEmpty()) { // no epochs: MLlib
            return String.format("| %s | %s | total %.1f s (no epochs) | - | - | %s at the end | - | %s | - | %.1f |"
                            + " %s |", m.system(), m.threads(), m.totalSeconds(), fraction(m.finalAccuracy()), rss(m),
                    m.outcome().wallSeconds(), load(m));
        }
        String accuracies = m.testAccuracy().stream().map(Report::fraction).collect(Collectors.joining(" "));
        int epoch = m.epochReachingTarget();
        String toTarget = epoch > 0 ? String.format("%.1f s (epoch %d)", m.secondsToTarget(), epoch)
                : String.format("not reached (best %s, epoch %d)", fraction(m.testAccuracy().get(m.bestEpoch() - 1)),
                m.bestEpoch());
        String share = m.allReduceShares().isEmpty() ? "-" : String.format("%.1f%% (%.1f%% waiting)",
                100 * m.medianAllReduceShare(), 100 * m.medianAllReduceWaitShare());
        return String.format("| %s | %s | %.2f | %s | %.0f | %s | %s | %s | %s | %.1f | %s |", m.system(), m.threads(),
                m.medianEpochSeconds(), ratio(m.medianEpochSeconds(), base), m.samplesPerSecond(), accuracies,
                toTarget, rss(m), share, m.outcome().wallSeconds(), load(m));
    }

    ObjectNode json() {
        ObjectNode root = ResultFile.create();
        root.put("date", when.toString());
        root.set("machine", machine.toJson());
        root.put("epochs", epochs);
        root.put("global_batch", 64);
        root.put("flops_per_epoch", flopsPerEpoch());
        double base = baseline().map(Measurement::medianEpochSeconds).orElse(Double.NaN);
        Measurement.putNumber(root, "baseline_median_epoch_seconds", base);
        ArrayNode table = root.putArray("table");
        for (Measurement m : fastestPerSystem()) {
            ObjectNode node = m.toJson();
            if (m.ok() && !m.epochSeconds().isEmpty()) {
                Measurement.putNumber(node, "ratio_to_dl4j", m.medianEpochSeconds() / base);
            }
            table.add(node);
        }
        ArrayNode variants = root.putArray("variants");
        measurements.forEach(m -> variants.add(m.toJson()));
        ArrayNode gemmRuns = root.putArray("gemm");
        gemm.forEach(gemmRuns::add);
        ObjectNode ceiling = root.putObject("ceiling_epoch_seconds");
        gemmRun("gemm-b64-omp2").ifPresent(g -> ceiling.put("one_process_batch64_2threads",
                flopsPerEpoch() / (g.get("gflops").asDouble() * 1e9)));
        gemmRun("gemm-b32-omp1").ifPresent(g -> ceiling.put("two_workers_batch32_1thread_alone",
                flopsPerEpoch() / 2 / (g.get("gflops").asDouble() * 1e9)));
        pairGflops().ifPresent(gflops -> ceiling.put("two_workers_batch32_1thread_at_once",
                flopsPerEpoch() / 2 / (gflops * 1e9)));
        secondsPerSample().ifPresent(perSample -> root.set("scaling_model",
                new ScalingModel(perSample, ScalingModel.parameterCount() * 4, TRAIN_ROWS).toJson()));
        return root;
    }

    static String milliseconds(double seconds) {
        return String.format("%.3f ms", seconds * 1e3);
    }

    private static String seconds(double value) {
        return Double.isFinite(value) ? String.format("%.2f", value) : "-";
    }

    private static String fraction(double value) {
        return Double.isFinite(value) ? String.format("%.4f", value) : "-";
    }

    private static String ratio(double value, double base) {
        return Double.isFinite(base) ? String.format("%.2f", value / base) : "-";
    }

    private static String rss(Measurement m) {
        return m.outcome() == null ? "-" : String.format("%.0f MiB", m.outcome().peakRssBytes() / 1048576.0);
    }

    private static String load(Measurement m) {
        return m.outcome() == null ? "-" : String.format("%.2f cores", m.outcome().otherCpuCores());
    }
}
