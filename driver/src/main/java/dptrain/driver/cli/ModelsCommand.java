package dptrain.driver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.BadInputException;
import dptrain.driver.registry.ModelRegistry;
import dptrain.driver.registry.RegistryVersion;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code dptrain models list|promote <version>|rollback --registry <dir>}: the model registry that
 * {@code dptrain retrain} fills. No Spark: the registry is files on a Hadoop FileSystem, read with
 * the Hadoop configuration of the environment ({@code HADOOP_CONF_DIR} on the class path). Exit codes:
 * 0 done, 2 bad input (one line, nothing changed), 1 failed.
 */
final class ModelsCommand {

    static final String USAGE = String.join("\n",
            "usage: dptrain models list --registry <dir>",
            "       dptrain models promote <version> --registry <dir>",
            "       dptrain models rollback --registry <dir>",
            "",
            "  list       the versions, oldest first: created, the compared holdout metric, the data range",
            "             (first..last date partition read), status (promoted or rejected when trained), and '*'",
            "             on the current one",
            "  promote    make <version> (e.g. v0003) current, also one that was rejected",
            "  rollback   make the newest promoted version before the current one current again",
            "",
            "  --registry the registry directory, any Hadoop URI (the spec's registry.dir)",
            "  --verbose  show stack traces");

    private ModelsCommand() {
    }

    /** @param args the arguments after {@code models} */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        String registryDir = null;
        boolean verbose = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return Main.OK;
            } else if (arg.equals("--verbose") || arg.equals("-v")) {
                verbose = true;
            } else if (arg.equals("--registry") && i + 1 < args.size()) {
                registryDir = args.get(++i);
            } else if (arg.startsWith("--")) {
                err.println("dptrain: error: models: unexpected argument '" + arg + "'"
                        + (arg.equals("--registry") ? " without a value" : "") + "; see dptrain models --help");
                return Main.BAD_INPUT;
            } else {
                positional.add(arg);
            }
        }
        String action = positional.isEmpty() ? "" : positional.get(0);
        int operands = action.equals("promote") ? 2 : 1;
        if (!List.of("list", "promote", "rollback").contains(action) || positional.size() != operands) {
            err.println("dptrain: error: expected 'models list|promote <version>|rollback --registry <dir>', got 'models"
                    + (args.isEmpty() ? "" : " " + String.join(" ", args)) + "'");
            return Main.BAD_INPUT;
        }
        if (registryDir == null) {
            err.println("dptrain: error: models " + action + ": --registry is required; see dptrain models --help");
            return Main.BAD_INPUT;
        }
        try {
            ModelRegistry registry = ModelRegistry.existing(registryDir, new Configuration(), "--registry");
            String key = "models " + action;
            switch (action) {
                case "list" -> list(registry, out);
                case "promote" -> {
                    String version = positional.get(1);
                    Optional<String> before = registry.promote(version, key);
                    out.println("dptrain: current: " + before.orElse("none") + " -> " + version);
                }
                default -> {
                    String[] moved = registry.rollback(key);
                    out.println("dptrain: current: " + moved[0] + " -> " + moved[1]);
                }
            }
            return Main.OK;
        } catch (BadInputException e) {
            Main.report(err, "error: " + e.getMessage(), e, verbose);
            return Main.BAD_INPUT;
        } catch (Exception e) {
            Main.report(err, "failed: " + e, e, verbose);
            return Main.FAILED;
        }
    }

    private static void list(ModelRegistry registry, PrintStream out) {
        List<RegistryVersion> versions = registry.versions();
        if (versions.isEmpty()) {
            out.println("dptrain: the registry " + registry.location() + " has no versions yet");
            return;
        }
        String current = registry.current().orElse("");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "version", "created", "metric", "candidate", "previous", "data", "status"});
        for (RegistryVersion version : versions) {
            JsonNode meta = version.meta();
            JsonNode data = meta.path("data");
            String range = data.path("first").isTextual()
                    ? data.path("first").asText() + ".." + data.path("last").asText() : "all of " + data.path("train").asText();
            rows.add(new String[] {version.name().equals(current) ? "*" : "", version.name(),
                    meta.path("created_at").asText(""), meta.path("metric").asText(""),
                    number(meta.path("candidate_metric")), number(meta.path("current_metric")), range,
                    version.status()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : "  ").append(c == row.length - 1 ? row[c]
                        : String.format("%-" + widths[c] + "s", row[c]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String number(JsonNode node) {
        return node.isNumber() ? String.format(Locale.ROOT, "%.4f", node.asDouble()) : "-";
    }
}
