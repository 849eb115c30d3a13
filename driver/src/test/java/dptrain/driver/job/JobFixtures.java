package dptrain.driver.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small CSV data sets and specs for whole-job tests. */
final class JobFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private JobFixtures() {
    }

    /** Three classes that depend on five features; class c has label c. */
    static Path classificationCsv(Path dir, String name, int rows, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("f0,f1,f2,f3,f4,y\n");
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < 5; c++) {
                double value = random.nextGaussian();
                sum += value * (c - 2);
                csv.append(String.format(java.util.Locale.ROOT, "%.5f,", value));
            }
            csv.append(sum < -1.5 ? 0 : sum < 1.5 ? 1 : 2).append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, csv);
        return file;
    }

    /** y = 2 x0 - x1 + 0.5 x2 + 1 plus a little noise. */
    static Path regressionCsv(Path dir, String name, int rows, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("x0,x1,x2,y\n");
        for (int r = 0; r < rows; r++) {
            double x0 = random.nextGaussian();
            double x1 = random.nextGaussian();
            double x2 = random.nextGaussian();
            double y = 2 * x0 - x1 + 0.5 * x2 + 1 + 0.05 * random.nextGaussian();
            csv.append(String.format(java.util.Locale.ROOT, "%.5f,%.5f,%.5f,%.5f%n", x0, x1, x2, y));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, csv);
        return file;
    }

    static String classificationSpec(Path train, Path test, Path output) {
        return """
                data:
                  format: csv
                  train: %s
                  %s
                  label: y
                  validation_fraction: 0.2
                model:
                  layers:
                    - {type: dense, units: 16, activation: tanh}
                    - {type: output, units: 3, activation: softmax, loss: mcxent}
                training:
                  workers: 2
                  batch_size: 32
                  epochs: 3
                  seed: 11
                  optimizer: {type: adam, learning_rate: 0.01}
                output:
                  dir: %s
                """.formatted(train, test == null ? "" : "test: " + test, output);
    }

    static JobSpec spec(String yaml, String... overrides) {
        return SpecLoader.parse(yaml, "test-spec.yaml", List.of(overrides));
    }

    static List<JsonNode> metrics(Path output) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output.resolve("metrics.jsonl"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    static JsonNode summary(Path output) throws IOException {
        return JSON.readTree(output.resolve("summary.json").toFile());
    }
}
