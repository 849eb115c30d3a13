package dptrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The benchmark: every system in its own JVM, one at a time, on the same machine, data
 * (Fashion-MNIST, pixels/255, 60k train, 10k test), model (784-256-128-10, Adam 0.001) and global
 * batch (64); then the comparison table (Markdown and JSON) in {@code bench/results/}.
 * Started by {@code bench/run.sh}, which builds everything first and passes Spark's Java 17
 * {@code --add-opens} list in {@code BENCH_JAVA_OPTS}.
 *
 * <p>Options: {@code --epochs E} (10), {@code --only id,id} (run a subset: gemm, dl4j, dptrain-w1,
 * dptrain-w2, dptrain-pa, dl4j-spark, dl4j-spark-allreduce, mllib), {@code --mllib-iterations M} (50), {@code --averaging-frequency F}
 * (5), {@code --dl4j-spark-epochs E} (min(epochs, 3): it is slow), {@code --threads 1,2} (the ND4J thread settings tried for DL4J
 * and dptrain; for dptrain only those with workers x threads <= cores, or the first),
 * {@code --quiet-wait S} (30: how long to wait for the shared machine to go quiet before each
 * system), {@code --data DIR}, {@code --results DIR}.
 */
public final class BenchMain {

    static final Set<String> GROUPS = new LinkedHashSet<>(
            List.of("gemm", "dl4j", "dptrain-w1", "dptrain-w2", "dptrain-pa", "dl4j-spark", "dl4j-spark-allreduce",
                    "mllib"));

    private final Path repo;
    private final Path runDir;
    private final Path data;
    private final int epochs;
    private final List<String> javaOptions;
    private final double quietWaitSeconds;

    private BenchMain(Path repo, Path runDir, Path data, int epochs, List<String> javaOptions, double quietWait) {
        this.repo = repo;
        this.runDir = runDir;
        this.data = data;
        this.epochs = epochs;
        this.javaOptions = javaOptions;
        this.quietWaitSeconds = quietWait;
    }

    public static void main(String[] args) throws Exception {
        int epochs = Integer.parseInt(ResultFile.option(args, "epochs", "10"));
        int mllibIterations = Integer.parseInt(ResultFile.option(args, "mllib-iterations", "50"));
        int frequency = Integer.parseInt(ResultFile.option(args, "averaging-frequency", "5"));
        int sparkEpochs = Integer.parseInt(ResultFile.option(args, "dl4j-spark-epochs",
                Integer.toString(Math.min(epochs, 3))));
        List<Integer> threads = Arrays.stream(ResultFile.option(args, "threads", "1,2").split(","))
                .map(Integer::parseInt).toList();
        Set<String> only = new LinkedHashSet<>(Arrays.asList(
                ResultFile.option(args, "only", String.join(",", GROUPS)).split(",")));
        for (String group : only) {
            if (!GROUPS.contains(group)) {
                throw new IllegalArgumentException("--only: unknown system '" + group + "', allowed: " + GROUPS);
            }
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs: " + epochs + ", must be >= 1");
        }
        Path repo = Path.of("").toAbsolutePath();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        Path runDir = repo.resolve("bench/target/runs/" + stamp);
        Files.createDirectories(runDir);
        String options = System.getenv().getOrDefault("BENCH_JAVA_OPTS", "");
        BenchMain bench = new BenchMain(repo, runDir,
                Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString())), epochs,
                options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+")),
                Double.parseDouble(ResultFile.option(args, "quiet-wait", "30")));

        Machine machine = Machine.describe();
        System.out.println("bench: " + machine.line() + "; " + epochs + " epochs; logs in " + runDir);
        List<Measurement> measurements = new ArrayList<>();
        List<ObjectNode> gemm = new ArrayList<>();
        if (only.contains("gemm")) {
            gemm.add(bench.gemm(64, 2));
            gemm.add(bench.gemm(32, 1));
            gemm.addAll(bench.gemmPair(32));
        }
        for (int t : threads) {
            if (only.contains("dl4j")) {
                measurements.add(bench.singleProcessDl4j(t));
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (int workers = 1; workers <= 2; workers++) {
            for (int t : threads) {
                // workers x threads above the core count only oversubscribes (never faster); skip it.
                if (only.contains("dptrain-w" + workers) && (workers * t <= cores || t == threads.get(0))) {
                    measurements.add(bench.dptrain(workers, t));
                }
            }
        }
        if (only.contains("dptrain-pa")) {
            measurements.add(bench.dptrain("dptrain-pa-k8-w2", "dptrain parameter averaging K=8, 2 workers", 2,
                    threads.get(0), List.of("training.averaging=parameters", "training.averaging_frequency=8")));
        }
        if (only.contains("dl4j-spark")) {
            measurements.add(bench.dl4jSpark(frequency, sparkEpochs));
        }
        if (only.contains("dl4j-spark-allreduce")) {
            measurements.add(bench.dl4jSparkAllReduce());
        }
        if (only.contains("mllib")) {
            measurements.add(bench.mllib(mllibIterations));
        }

        Report report = new Report(machine, LocalDateTime.now(), epochs, measurements, gemm);
        Path results = repo.resolve(ResultFile.option(args, "results", "bench/results"));
        Files.createDirectories(results);
        String date = LocalDate.now().toString();
        Path markdown = results.resolve(date + ".md");
        Path json = results.resolve(date + ".json");
        Files.writeString(markdown, report.markdown());
        Files.writeString(json, report.json().toPrettyString() + "\n");
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("bench: wrote " + repo.relativize(markdown) + " and " + repo.relativize(json));
    }

    // ---- the systems ----

    private Measurement singleProcessDl4j(int threads) throws Exception {
        String id = "dl4j-omp" + threads;
        Path result = runDir.resolve(id + ".json");
        ChildProcess.Outcome outcome = run(id, java(SingleProcessDl4j.class, "--epochs", epochs, "--batch", 64,
                "--data", data, "--result", result), threads);
        return fromEpochs(id, "DL4J single process", outcome, result, threads + " ND4J/OpenMP thread"
                + (threads == 1 ? "" : "s") + " (OMP_NUM_THREADS=" + threads + ")", "");
    }

    private Measurement dptrain(int workers, int threads) throws Exception {
        return dptrain("dptrain-w" + workers + "-omp" + threads,
                "dptrain gradient averaging, " + workers + " worker" + (workers == 1 ? "" : "s"), workers, threads,
                List.of());
    }

    /** {@code ./dptrain train conf/fashion-mnist-mlp.yaml} with the workers and any further overrides. */
    private Measurement dptrain(String id, String system, int workers, int threads, List<String> overrides)
            throws Exception {
        Path output = runDir.resolve(id);
        List<String> command = new ArrayList<>(List.of("./dptrain", "train", "conf/fashion-mnist-mlp.yaml",
                "training.workers=" + workers, "training.epochs=" + epochs, "output.dir=" + output,
                "data.train=" + data.resolve("train-images-idx3-ubyte.gz"),
                "data.test=" + data.resolve("t10k-images-idx3-ubyte.gz"),
                "data.validation_fraction=0", "checkpoint.keep=" + epochs, "checkpoint.resume=false",
                // the peers train with a constant Adam rate: so does dptrain here (the shipped config anneals)
                "training.optimizer.schedule.type=constant"));
        command.addAll(overrides);
        ChildProcess.Outcome outcome = run(id, command, threads);
        String threadSetting = "local[" + workers + "], OMP_NUM_THREADS=" + threads + " (" + workers * threads
                + " ND4J threads in all)";
        if (outcome.exitCode() != 0) {
            return failed(id, system, threadSetting, outcome);
        }
        List<Double> seconds = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        List<Double> waits = new ArrayList<>();
        long rows = 0;
        for (String line : Files.readAllLines(output.resolve("metrics.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode metrics = ResultFile.JSON.readTree(line);
            seconds.add(metrics.get("epoch_seconds").asDouble());
            shares.add(metrics.get("allreduce_share").asDouble());
            waits.add(metrics.get("allreduce_wait_share").asDouble());
            rows = Math.round(metrics.get("samples_per_second").asDouble() * metrics.get("epoch_seconds").asDouble());
        }
        ObjectNode summary = ResultFile.read(output.resolve("summary.json"));
        Path evaluation = runDir.resolve(id + "-checkpoints.json");
        runUntimed(id + "-evaluation", java(CheckpointEvaluation.class, "--checkpoints", output.resolve("checkpoints"),
                "--data", data, "--result", evaluation), 2);
        List<Double> accuracy = new ArrayList<>();
        ResultFile.read(evaluation).get("test_accuracy").forEach(value -> accuracy.add(value.asDouble()));
        double finalAccuracy = summary.path("test_accuracy").asDouble(Double.NaN);
        String notes = "test accuracy per epoch from the per-epoch checkpoints (data.validation_fraction=0,"
                + " all 60k rows train); final " + String.format("%.4f", finalAccuracy) + " from summary.json";
        return new Measurement(id, system, String.join(" ", command.subList(0, 4))
                + (overrides.isEmpty() ? "" : " " + String.join(" ", overrides)),
                threadSetting, seconds, accuracy, shares, waits, rows, sum(seconds), finalAccuracy, outcome, "ok",
                notes);
    }

    private Measurement dl4jSpark(int frequency, int sparkEpochs) throws Exception {
        String id = "dl4j-spark-f" + frequency;
        Path result = runDir.resolve(id + ".json");
        ChildProcess.Outcome outcome = run(id, java(Dl4jSparkParameterAveraging.class, "--epochs", sparkEpochs,
                "--workers", 2, "--batch-per-worker", 32, "--averaging-frequency", frequency, "--data", data,
                "--result", result), 1);
        return fromEpochs(id, "dl4j-spark ParameterAveragingTrainingMaster, local[2]", outcome, result,
                "local[2], OMP_NUM_THREADS=1 (2 ND4J threads in all)", "");
    }

    /** The dl4j-spark program above with dptrain's AllReduceTrainingMaster: as many epochs as dptrain's rows. */
    private Measurement dl4jSparkAllReduce() throws Exception {
        String id = "dl4j-spark-allreduce-w2";
        Path result = runDir.resolve(id + ".json");
        ChildProcess.Outcome outcome = run(id, java(Dl4jSparkAllReduce.class, "--epochs", epochs, "--workers", 2,
                "--batch-per-worker", 32, "--data", data, "--result", result), 1);
        return fromEpochs(id, "dl4j-spark API + dptrain AllReduceTrainingMaster, local[2]", outcome, result,
                "local[2], OMP_NUM_THREADS=1 (2 ND4J threads in all)", "");
    }

    private Measurement mllib(int maxIterations) throws Exception {
        String id = "mllib-l-bfgs-" + maxIterations;
        Path result = runDir.resolve(id + ".json");
        // MLlib's dense BLAS (dev.ludovic.netlib) uses the Java Vector API when the incubator module is
        // present, and falls back to plain Java loops without it: give MLlib its faster setting.
        List<String> command = new ArrayList<>(java(MllibPerceptron.class, "--max-iterations", maxIterations,
                "--workers", 2, "--data", data, "--result", result));
        command.add(1, "--add-modules=jdk.incubator.vector");
        ChildProcess.Outcome outcome = run(id, command, 1);
        String system = "Spark MLlib MultilayerPerceptronClassifier, local[2]";
        String threadSetting = "local[2] (2 Spark task threads; BLAS see notes)";
        if (outcome.exitCode() != 0) {
            return failed(id, system, threadSetting, outcome);
        }
        ObjectNode node = ResultFile.read(result);
        String notes = node.get("iterations").asInt() + " L-BFGS iterations (no epochs: each is at least one full"
                + " pass over the 60k rows); sigmoid hidden layers (MLlib has no relu); BLAS: "
                + node.get("blas").asText();
        return new Measurement(id, system, node.get("config").asText(), threadSetting, List.of(), List.of(),
                List.of(), List.of(), node.get("train_rows").asLong(), node.get("total_seconds").asDouble(),
                node.get("final_test_accuracy").asDouble(), outcome, "ok", notes);
    }

    private ObjectNode gemm(int batch, int threads) throws Exception {
        String id = "gemm-b" + batch + "-omp" + threads;
        Path result = runDir.resolve(id + ".json");
        ChildProcess.Outcome outcome = run(id, java(GemmCeiling.class, "--batch", batch, "--seconds", 5,
                "--result", result), threads);
        return gemmResult(id, threads, outcome, result, "alone");
    }

    /** Two single-threaded gemm loops at once: what two single-threaded workers get from this machine. */
    private List<ObjectNode> gemmPair(int batch) throws Exception {
        waitForQuiet("gemm pair");
        List<String> ids = List.of("gemm-b" + batch + "-omp1-pair0", "gemm-b" + batch + "-omp1-pair1");
        List<CompletableFuture<ChildProcess.Outcome>> both = new ArrayList<>();
        for (String id : ids) {
            List<String> command = java(GemmCeiling.class, "--batch", batch, "--seconds", 5, "--result",
                    runDir.resolve(id + ".json"));
            both.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ChildProcess.run(command, Map.of("OMP_NUM_THREADS", "1"), repo,
                            runDir.resolve(id + ".log"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<ObjectNode> results = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            ChildProcess.Outcome own = both.get(k).get();
            ChildProcess.Outcome sibling = both.get(1 - k).get();
            // The sibling is not "other load": take its CPU out of what the watcher saw.
            ChildProcess.Outcome adjusted = new ChildProcess.Outcome(own.exitCode(), own.wallSeconds(),
                    own.peakRssBytes(), own.cpuSeconds(),
                    Math.max(0, own.otherCpuCores() - sibling.cpuSeconds() / own.wallSeconds()));
            results.add(gemmResult(ids.get(k), 1, adjusted, runDir.resolve(ids.get(k) + ".json"), "two at once"));
        }
        return results;
    }

    private static ObjectNode gemmResult(String id, int threads, ChildProcess.Outcome outcome, Path result,
                                         String mode) {
        if (outcome.exitCode() != 0) {
            return ResultFile.create().put("id", id).put("status", "failed (exit " + outcome.exitCode() + ")");
        }
        ObjectNode node = ResultFile.read(result);
        node.put("id", id).put("status", "ok").put("threads", threads).put("mode", mode)
                .put("other_cpu_cores", outcome.otherCpuCores());
        System.out.printf("bench: %s: %.1f GFLOP/s%n", id, node.get("gflops").asDouble());
        return node;
    }

    // ---- plumbing ----

    private Measurement fromEpochs(String id, String system, ChildProcess.Outcome outcome, Path result,
                                   String threads, String notes) {
        if (outcome.exitCode() != 0) {
            return failed(id, system, threads, outcome);
        }
        ObjectNode node = ResultFile.read(result);
        List<Double> seconds = new ArrayList<>();
        node.get("epoch_seconds").forEach(value -> seconds.add(value.asDouble()));
        List<Double> accuracy = new ArrayList<>();
        node.get("test_accuracy").forEach(value -> accuracy.add(value.asDouble()));
        return new Measurement(id, system, node.get("config").asText(), threads, seconds, accuracy, List.of(),
                List.of(), node.get("train_rows").asLong(), sum(seconds), accuracy.get(accuracy.size() - 1), outcome,
                "ok", notes);
    }

    private Measurement failed(String id, String system, String threads, ChildProcess.Outcome outcome) {
        Path log = runDir.resolve(id + ".log");
        System.out.println("bench: " + id + " failed with exit code " + outcome.exitCode() + "; see " + log);
        return new Measurement(id, system, "-", threads, List.of(), List.of(), List.of(), List.of(), 0, Double.NaN,
                Double.NaN, outcome, "failed (exit " + outcome.exitCode() + ")", "see " + repo.relativize(log));
    }

    private ChildProcess.Outcome run(String id, List<String> command, int threads) throws Exception {
        waitForQuiet(id);
        return runUntimed(id, command, threads);
    }

    /** Runs without first waiting for a quiet machine: for work whose speed is not reported. */
    private ChildProcess.Outcome runUntimed(String id, List<String> command, int threads) throws Exception {
        System.out.println("bench: running " + id + " ...");
        ChildProcess.Outcome outcome = ChildProcess.run(command, Map.of("OMP_NUM_THREADS", Integer.toString(threads)),
                repo, runDir.resolve(id + ".log"));
        System.out.printf("bench: %s done in %.1f s (exit %d, peak RSS %.0f MiB, other processes %.2f cores)%n", id,
                outcome.wallSeconds(), outcome.exitCode(), outcome.peakRssBytes() / 1048576.0,
                outcome.otherCpuCores());
        return outcome;
    }

    /** The machine is shared: wait (bounded) until other work leaves it mostly idle. */
    private void waitForQuiet(String id) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (quietWaitSeconds * 1e9);
        double busy = ChildProcess.busyCores(2);
        while (busy > 0.25 && System.nanoTime() < deadline) {
            System.out.printf("bench: machine busy (%.2f cores in use by others), waiting before %s%n", busy, id);
            busy = ChildProcess.busyCores(5);
        }
    }

    private List<String> java(Class<?> main, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcess.javaBinary());
        command.addAll(javaOptions);
        command.add("-Xmx8g");
        command.add("-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties"));
        command.add("-cp");
        command.add(ChildProcess.classPath());
        command.add(main.getName());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return command;
    }

    private static double sum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }
}
