package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files in {@code deploy/} that CI cannot run for real (no YARN, Kubernetes, Airflow or cron
 * here): every YAML file parses, the retrain spec and the one in the Kubernetes ConfigMap load as
 * job specs and agree, the manifests name the CLI class and as many executors as workers, the
 * Airflow DAG compiles (with {@code python3} where the machine has it) and passes the spec it ships,
 * the scripts' {@code --help} works and their {@code --dry-run} builds the spark-submit command a
 * scheduler would run, and the cron line, run as cron would run it, submits yesterday's partition.
 */
class DeployFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = repositoryRoot();
    private static final Path RETRAIN = ROOT.resolve("deploy/retrain");
    private static final String MAIN = Main.class.getName();

    @TempDir
    Path dir;

    @Test
    void everyYamlFileInDeployParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT.resolve("deploy"))) {
            files = walk.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted().toList();
        }
        assertTrue(files.contains(RETRAIN.resolve("scheduled-retrain.yaml")), files.toString());
        assertTrue(files.contains(RETRAIN.resolve("retrain-spec.yaml")), files.toString());
        for (Path file : files) {
            List<JsonNode> documents = documents(file);
            assertFalse(documents.isEmpty(), file.toString());
            for (JsonNode document : documents) {
                assertTrue(document.isObject(), file + ": a document that is not a mapping: " + document);
                if (document.has("kind")) {
                    assertTrue(document.path("apiVersion").isTextual(), file + ": " + document.path("kind")
                            + " without apiVersion");
                    assertTrue(document.path("metadata").path("name").isTextual(), file + ": no metadata.name");
                }
            }
        }
    }

    @Test
    void theRetrainSpecLoadsWithItsRelativeDateResolved() {
        LocalDate before = LocalDate.now(ZoneOffset.UTC);
        JobSpec spec = SpecLoader.load(RETRAIN.resolve("retrain-spec.yaml"), List.of());
        LocalDate after = LocalDate.now(ZoneOffset.UTC);

        assertTrue(List.of(before.minusDays(1).toString(), after.minusDays(1).toString()).contains(spec.data().since()),
                spec.data().since());
        assertEquals("hdfs:///models/churn", spec.retrain().registryDir());
        assertEquals(0.005, spec.retrain().minImprovement());
    }

    @Test
    void theScheduledSparkApplicationRunsRetrainOnTheSpecOfItsConfigMap() throws IOException {
        List<JsonNode> documents = documents(RETRAIN.resolve("scheduled-retrain.yaml"));
        assertEquals(List.of("ConfigMap", "ScheduledSparkApplication"),
                documents.stream().map(document -> document.path("kind").asText()).toList());
        JsonNode configMap = documents.get(0);
        JsonNode scheduled = documents.get(1);
        assertEquals("sparkoperator.k8s.io/v1beta2", scheduled.path("apiVersion").asText());
        assertTrue(scheduled.path("spec").path("schedule").asText().matches("\\S+( \\S+){4}"),
                "a five-field cron schedule: " + scheduled.path("spec").path("schedule"));
        assertEquals("Forbid", scheduled.path("spec").path("concurrencyPolicy").asText(), "one writer per registry");

        JsonNode template = scheduled.path("spec").path("template");
        assertEquals(MAIN, template.path("mainClass").asText());
        assertEquals("retrain", template.path("arguments").path(0).asText());
        JsonNode volume = template.path("volumes").path(0);
        assertEquals(configMap.path("metadata").path("name").asText(), volume.path("configMap").path("name").asText());
        JsonNode mount = template.path("driver").path("volumeMounts").path(0);
        assertEquals(volume.path("name").asText(), mount.path("name").asText());
        String specPath = template.path("arguments").path(1).asText();
        assertTrue(specPath.startsWith(mount.path("mountPath").asText() + "/"), specPath);
        String key = specPath.substring(specPath.lastIndexOf('/') + 1);
        assertTrue(configMap.path("data").path(key).isTextual(), "the ConfigMap has no " + key);

        JobSpec spec = SpecLoader.parse(configMap.path("data").path(key).asText(), key, List.of());
        assertEquals(SpecLoader.load(RETRAIN.resolve("retrain-spec.yaml"), List.of()), spec,
                "the ConfigMap's spec is deploy/retrain/retrain-spec.yaml");
        assertEquals(spec.training().workers(), template.path("executor").path("instances").asInt(),
                "a barrier stage needs as many executors as workers");
        assertEquals(template.path("executor").path("cores").asText(),
                template.path("sparkConf").path("spark.task.cpus").asText(), "one training task per executor");
    }

    @Test
    void theGpuSparkApplicationNamesTheCommandLineClass() throws IOException {
        JsonNode application = documents(ROOT.resolve("deploy/gpu/spark-application-gpu.yaml")).get(0);

        assertEquals(MAIN, application.path("spec").path("mainClass").asText());
        assertEquals("train", application.path("spec").path("arguments").path(0).asText());
    }

    @Test
    void theAirflowDagCompilesAndShipsTheSpecItPasses() throws Exception {
        Path dag = RETRAIN.resolve("airflow_retrain_dag.py");
        String source = Files.readString(dag);

        assertTrue(source.contains("from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator"));
        assertEquals(MAIN, pythonString(source, "java_class="));
        assertEquals("/opt/dptrain/deploy/retrain/retrain-spec.yaml", pythonString(source, "SPEC = "));
        Matcher args = Pattern.compile("application_args=\\[\"retrain\", \"([^\"]+)\", \"data\\.since=\\{\\{ ds }}\"")
                .matcher(source);
        assertTrue(args.find(), "application_args: retrain <spec> data.since={{ ds }}");
        assertEquals("retrain-spec.yaml", args.group(1), "the spec file --files puts in the driver's directory");
        assertTrue(source.contains("max_active_runs=1"), "one writer per registry");

        if (python3() != null) {
            assertEquals(0, pyCompile(dag).code(), "python3 -m py_compile " + dag);
            Path broken = dir.resolve("broken_dag.py");
            Files.writeString(broken, source.replace("as dag:", "as dag"));
            assertNotEquals(0, pyCompile(broken).code(), "py_compile must catch a syntax error");
        } else {
            // no python3 here: at least the brackets of the DAG must balance
            assertEquals("", unbalanced(source));
            assertNotEquals("", unbalanced(source.replace("tags=[\"dptrain\", \"retrain\"],", "tags=[\"dptrain\",")));
        }
    }

    @Test
    void everyScriptHasHelpAndValidBashSyntax() throws Exception {
        List<Path> scripts = new ArrayList<>(List.of(ROOT.resolve("deploy/submit.sh")));
        try (Stream<Path> list = Files.list(RETRAIN)) {
            list.filter(file -> file.toString().endsWith(".sh")).sorted().forEach(scripts::add);
        }
        assertEquals(3, scripts.size(), scripts.toString());
        for (Path script : scripts) {
            assertEquals(0, run(List.of("bash", "-n", script.toString())).code(), "bash -n " + script);
            for (String help : List.of("--help", "-h")) {
                Outcome outcome = run(List.of("bash", script.toString(), help));
                assertEquals(0, outcome.code(), script + " " + help + ": " + outcome.err());
                assertTrue(outcome.out().startsWith("Submits "), script + " " + help + ": " + outcome.out());
                assertTrue(outcome.out().contains(script.getFileName().toString()), outcome.out());
                assertFalse(outcome.out().contains("set -euo"), "the usage ends with the comment: " + outcome.out());
            }
        }
    }

    @Test
    void theYarnScriptSubmitsRetrainWithOneExecutorPerWorker() throws Exception {
        Path spec = RETRAIN.resolve("retrain-spec.yaml");
        Outcome outcome = run(List.of("bash", RETRAIN.resolve("submit-yarn.sh").toString(), "--dry-run",
                "--workers", "3", "--executor-cores", "2", "--queue", "ml", spec.toString(), "data.since=2026-11-01"));

        assertEquals(0, outcome.code(), outcome.err());
        String command = outcome.out().strip();
        assertTrue(command.contains(" --master yarn --deploy-mode cluster --queue ml --class " + MAIN + " "), command);
        assertTrue(command.contains(" --num-executors 3 --executor-cores 2 "), command);
        assertTrue(command.contains(" --conf spark.task.cpus=2 "), command);
        assertTrue(command.contains(" --files " + spec + " "), command);
        assertTrue(command.endsWith(" retrain retrain-spec.yaml training.workers=3 data.since=2026-11-01"), command);
    }

    @Test
    void theKubernetesScriptTakesASpecInTheImageOrUploadsALocalOne() throws Exception {
        String script = RETRAIN.resolve("submit-k8s.sh").toString();
        Outcome inImage = run(List.of("bash", script, "--dry-run", "--master", "k8s://https://api:6443",
                "--image", "r/dptrain:1", "--workers", "4", "local:///opt/dptrain/conf/retrain.yaml"));
        Outcome local = run(List.of("bash", script, "--dry-run", "--master", "k8s://https://api:6443",
                "--image", "r/dptrain:1", "--upload-path", "s3a://b/up", RETRAIN.resolve("retrain-spec.yaml").toString(),
                "retrain.min_improvement=0.01"));
        Outcome noUpload = run(List.of("bash", script, "--dry-run", "--master", "k8s://https://api:6443",
                "--image", "r/dptrain:1", RETRAIN.resolve("retrain-spec.yaml").toString()));
        Outcome noImage = run(List.of("bash", script, "--master", "k8s://https://api:6443",
                "local:///opt/dptrain/conf/retrain.yaml"));

        assertEquals(0, inImage.code(), inImage.err());
        assertTrue(inImage.out().contains(" --conf spark.executor.instances=4 "), inImage.out());
        assertTrue(inImage.out().strip().endsWith(
                " local:///opt/dptrain/dptrain.jar retrain /opt/dptrain/conf/retrain.yaml training.workers=4"),
                inImage.out());
        assertFalse(inImage.out().contains("--files"), inImage.out());
        assertEquals(0, local.code(), local.err());
        assertTrue(local.out().contains(" --files " + RETRAIN.resolve("retrain-spec.yaml")
                + " --conf spark.kubernetes.file.upload.path=s3a://b/up "), local.out());
        assertTrue(local.out().strip().endsWith(" retrain retrain-spec.yaml training.workers=2 retrain.min_improvement=0.01"),
                local.out());
        assertEquals(new Outcome(2, "", "submit-k8s.sh: error: --upload-path is required to ship the local spec "
                + RETRAIN.resolve("retrain-spec.yaml") + " (or give local:///path/in/the/image)\n"), noUpload);
        assertEquals(new Outcome(2, "", "submit-k8s.sh: error: --image is required\n"), noImage);
    }

    @Test
    void dptrainSparkFourMakesTheScriptsSubmitTheSpark4Jar() throws Exception {
        Path spec = RETRAIN.resolve("retrain-spec.yaml");
        List<String> yarn = List.of("bash", RETRAIN.resolve("submit-yarn.sh").toString(), "--dry-run", spec.toString());
        List<String> k8s = List.of("bash", RETRAIN.resolve("submit-k8s.sh").toString(), "--dry-run",
                "--master", "k8s://https://api:6443", "--image", "r/dptrain:1", "local:///opt/dptrain/conf/retrain.yaml");

        Outcome yarn3 = run(yarn, Map.of());
        Outcome yarn4 = run(yarn, Map.of("DPTRAIN_SPARK", "4"));
        Outcome k8s4 = run(k8s, Map.of("DPTRAIN_SPARK", "4"));
        Outcome unknown = run(yarn, Map.of("DPTRAIN_SPARK", "2"));

        assertEquals(0, yarn3.code(), yarn3.err());
        assertTrue(yarn3.out().contains(" " + ROOT.resolve("driver/target/dptrain.jar") + " retrain "), yarn3.out());
        assertEquals(0, yarn4.code(), yarn4.err());
        assertTrue(yarn4.out().contains(" " + ROOT.resolve("driver/target/spark4/dptrain-spark4.jar") + " retrain "),
                yarn4.out());
        assertEquals(0, k8s4.code(), k8s4.err());
        assertTrue(k8s4.out().strip().endsWith(" local:///opt/dptrain/dptrain-spark4.jar retrain /opt/dptrain/conf/retrain.yaml"
                + " training.workers=2"), k8s4.out());
        assertEquals(new Outcome(2, "", "dptrain: error: DPTRAIN_SPARK: unknown value '2'; use 3 (Spark 3.5, the default)"
                + " or 4 (Spark 4.2)\n"), unknown);
    }

    @Test
    void theCronLineRunAsCronWouldSubmitsYesterdaysPartition() throws Exception {
        List<String> lines = Files.readAllLines(RETRAIN.resolve("crontab.example")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#") && !line.matches("[A-Z_]+=.*")).toList();
        assertEquals(1, lines.size(), lines.toString());
        String[] fields = lines.get(0).split("\\s+", 6);
        assertEquals("30 2 * * *", String.join(" ", List.of(fields).subList(0, 5)));
        String command = fields[5];
        // cron turns an unescaped % into a newline: every % of the command must be written \%
        assertFalse(command.replace("\\%", "").contains("%"), command);
        assertTrue(command.startsWith("flock -n "), "one retrain at a time: " + command);

        String local = command.replace("\\%", "%")
                .replaceFirst(" >> \\S+ 2>&1$", "")
                .replace("/tmp/dptrain-retrain-churn.lock", dir.resolve("lock").toString())
                .replace("/opt/dptrain/", ROOT + "/")
                .replace("submit-yarn.sh ", "submit-yarn.sh --dry-run ");
        assertNotEquals(command, local);
        LocalDate before = LocalDate.now(ZoneOffset.UTC);
        Outcome outcome = run(List.of("bash", "-c", local));
        LocalDate after = LocalDate.now(ZoneOffset.UTC);

        assertEquals(0, outcome.code(), local + ": " + outcome.err());
        String submitted = outcome.out().strip();
        assertTrue(submitted.endsWith(" retrain retrain-spec.yaml training.workers=4 data.since=" + before.minusDays(1))
                || submitted.endsWith(" training.workers=4 data.since=" + after.minusDays(1)), submitted);
        assertTrue(submitted.contains(" --queue ml "), submitted);
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            return iterator.readAll().stream().filter(document -> !document.isMissingNode() && !document.isNull())
                    .toList();
        }
    }

    /** The string literal right after {@code prefix} in the Python source. */
    private static String pythonString(String source, String prefix) {
        Matcher matcher = Pattern.compile(Pattern.quote(prefix) + "\"([^\"]*)\"").matcher(source);
        assertTrue(matcher.find(), "no " + prefix + "\"...\" in the DAG");
        return matcher.group(1);
    }

    /** The first bracket that does not close, or "" when (), [] and {} balance (outside strings and comments). */
    private static String unbalanced(String source) {
        StringBuilder open = new StringBuilder();
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (comment) {
                comment = c != '\n';
            } else if (quote != 0) {
                quote = c == quote && source.charAt(i - 1) != '\\' ? 0 : quote;
            } else if (c == '#') {
                comment = true;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if ("([{".indexOf(c) >= 0) {
                open.append(c);
            } else if (")]}".indexOf(c) >= 0) {
                if (open.isEmpty() || "([{".indexOf(open.charAt(open.length() - 1)) != ")]}".indexOf(c)) {
                    return "'" + c + "' at " + i;
                }
                open.setLength(open.length() - 1);
            }
        }
        return open.toString();
    }

    private Outcome pyCompile(Path file) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(python3(), "-m", "py_compile", file.toString());
        // keep __pycache__ out of the source tree
        builder.environment().put("PYTHONPYCACHEPREFIX", dir.resolve("pycache").toString());
        return run(builder);
    }

    /** {@code python3} when this machine has it, else null. */
    private static String python3() {
        try {
            return run(List.of("python3", "--version")).code() == 0 ? "python3" : null;
        } catch (Exception e) {
            return null;
        }
    }

    record Outcome(int code, String out, String err) {
    }

    private static Outcome run(List<String> command) throws Exception {
        return run(command, Map.of());
    }

    /** Runs a script as on a machine without SPARK_HOME and DPTRAIN_SPARK, plus {@code environment}. */
    private static Outcome run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("SPARK_HOME");
        builder.environment().remove("DPTRAIN_SPARK");
        builder.environment().putAll(environment);
        return run(builder);
    }

    private static Outcome run(ProcessBuilder builder) throws Exception {
        Path out = Files.createTempFile("deploy-out", ".txt");
        Path err = Files.createTempFile("deploy-err", ".txt");
        try {
            Process process = builder.directory(ROOT.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            int code = process.waitFor();
            return new Outcome(code, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path repositoryRoot() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isDirectory(at.resolve("deploy/retrain"))) {
                return at;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }
}
