package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dptrain.driver.SparkTestSession;
import dptrain.driver.cli.BadInputTest.Result;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dptrain predict} on models trained by {@code dptrain train}: its predictions reproduce the
 * job's own test evaluation, labels come back as the training data wrote them, and bad input is one
 * line with exit code 2.
 */
class PredictCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;

    /** Iris with text labels, 4 of 5 rows to train on, every 5th row (30) to test. */
    static Path train;
    static Path test;
    /** A CSV job's output (normalize: standard, so scoring must apply the stored statistics). */
    static Path csvRun;

    @BeforeAll
    static void trainOnIris() throws IOException, URISyntaxException {
        SparkTestSession.get();
        List<String> lines = Files.readAllLines(Path.of(PredictCommandTest.class.getResource("/iris.csv").toURI()));
        List<String> trainLines = new ArrayList<>(List.of(lines.get(0)));
        List<String> testLines = new ArrayList<>(List.of(lines.get(0)));
        for (int row = 1; row < lines.size(); row++) {
            (row % 5 == 0 ? testLines : trainLines).add(lines.get(row));
        }
        train = Files.write(root.resolve("train.csv"), trainLines);
        test = Files.write(root.resolve("test.csv"), testLines);
        csvRun = root.resolve("csv-run");
        Path spec = Files.writeString(root.resolve("iris.yaml"), """
                data: {format: csv, train: %s, test: %s, label: species, normalize: standard}
                model:
                  layers:
                    - {units: 8, activation: tanh}
                    - {type: output, units: 3, loss: mcxent}
                training: {workers: 2, batch_size: 16, epochs: 4, seed: 3, optimizer: {type: adam, learning_rate: 0.05}}
                output: {dir: %s}
                """.formatted(train, test, csvRun));
        Result trained = BadInputTest.cli("train", spec.toString());
        assertEquals(0, trained.code(), trained.err());
    }

    @Test
    void predictionsOfACsvModelReproduceTheJobsTestAccuracyWithTextLabels() throws IOException {
        Path output = root.resolve("predictions");

        Result result = BadInputTest.cli("predict", "--model", csvRun.resolve("model.zip").toString(),
                "--input", test.toString(), "--output", output.toString());

        assertEquals(0, result.code(), result.err());
        assertEquals("dptrain: predicted 30 rows -> " + output + "\n", result.out());
        Dataset<Row> predicted = SparkTestSession.get().read().parquet(output.toString()).cache();
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width", "species", "prediction",
                "probability"), Arrays.asList(predicted.columns()));
        assertEquals(DataTypes.StringType, predicted.schema().apply("prediction").dataType());
        JsonNode summary = JSON.readTree(csvRun.resolve("summary.json").toFile());
        double accuracy = predicted.filter("prediction = species").count() / 30.0;
        assertEquals(summary.get("test_accuracy").asDouble(), accuracy, 1e-12);
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);
        // The probabilities are in label_names order (setosa, versicolor, virginica) and name the prediction.
        for (Row row : predicted.collectAsList()) {
            List<Double> p = row.getList(row.fieldIndex("probability"));
            assertEquals(1.0, p.get(0) + p.get(1) + p.get(2), 1e-6);
            int best = p.indexOf(p.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
            assertEquals(List.of("setosa", "versicolor", "virginica").get(best), row.getAs("prediction"));
        }
    }

    @Test
    void predictionsOfAParquetModelKeepTheIdColumnAndIntegerLabels() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> iris = spark.read().option("header", true).option("inferSchema", true).csv(train.toString())
                .union(spark.read().option("header", true).option("inferSchema", true).csv(test.toString()))
                .withColumn("id", functions.monotonically_increasing_id())
                .withColumn("class", functions.when(functions.col("species").equalTo("setosa"), 0)
                        .when(functions.col("species").equalTo("versicolor"), 1).otherwise(2))
                .withColumn("measurements", functions.array("sepal_length", "sepal_width", "petal_length",
                        "petal_width"))
                .select("id", "measurements", "class").coalesce(1).cache();
        String parquetTrain = root.resolve("iris-train.parquet").toString();
        String parquetTest = root.resolve("iris-test.parquet").toString();
        iris.filter("id % 4 != 0").write().parquet(parquetTrain);
        iris.filter("id % 4 = 0").write().parquet(parquetTest);
        Path run = root.resolve("parquet-run");
        Path spec = Files.writeString(root.resolve("parquet.yaml"), """
                data: {format: parquet, train: %s, test: %s, label: class, features: [measurements]}
                model:
                  layers:
                    - {type: output, units: 3, loss: mcxent}
                training: {workers: 1, batch_size: 8, epochs: 3, seed: 4, optimizer: {type: adam, learning_rate: 0.05}}
                output: {dir: %s}
                """.formatted(parquetTrain, parquetTest, run));
        assertEquals(0, BadInputTest.cli("train", spec.toString()).code());
        Path output = root.resolve("parquet-predictions");

        Result result = BadInputTest.cli("predict", "--model", run.resolve("model.zip").toString(),
                "--input", parquetTest, "--output", output.toString(), "--id-column", "id");

        assertEquals(0, result.code(), result.err());
        Dataset<Row> predicted = spark.read().parquet(output.toString());
        assertEquals(List.of("id", "prediction", "probability"), Arrays.asList(predicted.columns()));
        assertEquals(DataTypes.IntegerType, predicted.schema().apply("prediction").dataType());
        Dataset<Row> joined = predicted.join(iris, "id");
        long rows = iris.filter("id % 4 = 0").count();
        assertEquals(rows, joined.count());
        double accuracy = joined.filter("prediction = class").count() / (double) rows;
        JsonNode summary = JSON.readTree(run.resolve("summary.json").toFile());
        assertEquals(summary.get("test_accuracy").asDouble(), accuracy, 1e-12);
    }

    @Test
    void predictionsOfARegressionModelReproduceTheJobsTestError() throws IOException {
        Path run = root.resolve("regression-run");
        Path spec = Files.writeString(root.resolve("regression.yaml"), """
                data:
                  format: csv
                  train: %s
                  test: %s
                  label: petal_width
                  features: [sepal_length, sepal_width, petal_length]
                  normalize: minmax
                model:
                  layers:
                    - {type: output, units: 1, loss: mse}
                training: {workers: 2, batch_size: 16, epochs: 3, seed: 8, optimizer: {type: adam, learning_rate: 0.05}}
                output: {dir: %s}
                """.formatted(train, test, run));
        assertEquals(0, BadInputTest.cli("train", spec.toString()).code());
        Path output = root.resolve("regression-predictions");

        Result result = BadInputTest.cli("predict", "--model", run.resolve("model.zip").toString(),
                "--input", test.toString(), "--output", output.toString());

        assertEquals(0, result.code(), result.err());
        Dataset<Row> predicted = SparkTestSession.get().read().parquet(output.toString());
        assertEquals(DataTypes.DoubleType, predicted.schema().apply("prediction").dataType());
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width", "species", "prediction"),
                Arrays.asList(predicted.columns()));
        double mse = predicted.agg(functions.avg(functions.pow(functions.col("prediction")
                .minus(functions.col("petal_width").cast("float").cast("double")), 2))).head().getDouble(0);
        double expected = JSON.readTree(run.resolve("summary.json").toFile()).get("test_mse").asDouble();
        assertEquals(expected, mse, 1e-6 * expected);
    }

    @Test
    void aSingleSigmoidOutputGivesTwoClassProbabilitiesAndReproducesTheJobsAccuracy() throws IOException {
        Path binaryTrain = Files.write(root.resolve("binary-train.csv"), Files.readAllLines(train).stream()
                .map(line -> line.replace("versicolor", "other").replace("virginica", "other")).toList());
        Path binaryTest = Files.write(root.resolve("binary-test.csv"), Files.readAllLines(test).stream()
                .map(line -> line.replace("versicolor", "other").replace("virginica", "other")).toList());
        Path run = root.resolve("binary-run");
        Path spec = Files.writeString(root.resolve("binary.yaml"), """
                data: {format: csv, train: %s, test: %s, label: species}
                model:
                  layers:
                    - {type: output, units: 1, loss: bce}
                training: {workers: 2, batch_size: 16, epochs: 2, seed: 2, optimizer: {type: sgd, learning_rate: 0.01}}
                output: {dir: %s}
                """.formatted(binaryTrain, binaryTest, run));
        assertEquals(0, BadInputTest.cli("train", spec.toString()).code());
        Path output = root.resolve("binary-predictions");

        Result result = BadInputTest.cli("predict", "--model", run.resolve("model.zip").toString(),
                "--input", binaryTest.toString(), "--output", output.toString());

        assertEquals(0, result.code(), result.err());
        Dataset<Row> predicted = SparkTestSession.get().read().parquet(output.toString()).cache();
        double accuracy = predicted.filter("prediction = species").count() / 30.0;
        assertEquals(JSON.readTree(run.resolve("summary.json").toFile()).get("test_accuracy").asDouble(), accuracy,
                1e-12);
        for (Row row : predicted.collectAsList()) {
            List<Double> p = row.getList(row.fieldIndex("probability"));
            assertEquals(2, p.size());
            assertEquals(1.0, p.get(0) + p.get(1), 1e-6);
            // label_names are sorted: other, setosa
            assertEquals(p.get(1) > p.get(0) ? "setosa" : "other", row.getAs("prediction"));
        }
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() throws IOException {
        String model = csvRun.resolve("model.zip").toString();
        String output = root.resolve("never").toString();
        Path missingColumn = Files.writeString(root.resolve("three-columns.csv"),
                "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n");
        Path badCell = Files.writeString(root.resolve("bad-cell.csv"),
                "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,abc,1.4,0.2\n");
        Path notAModel = Files.writeString(root.resolve("not-a-model.zip"), "hello");

        assertError("model not found: " + root.resolve("missing.zip"),
                "--model", root.resolve("missing.zip").toString(), "--input", test.toString(), "--output", output);
        assertError(notAModel + " is not a dptrain model.zip: it has no dptrain.json entry",
                "--model", notAModel.toString(), "--input", test.toString(), "--output", output);
        assertError("--input: path not found: " + root.resolve("nope.csv"),
                "--model", model, "--input", root.resolve("nope.csv").toString(), "--output", output);
        assertError("--input: feature column 'petal_width' not found in " + missingColumn
                        + "; columns: sepal_length, sepal_width, petal_length",
                "--model", model, "--input", missingColumn.toString(), "--output", output);
        assertError(badCell + " row 2, column 'sepal_width': not a number: \"abc\"",
                "--model", model, "--input", badCell.toString(), "--output", output);
        assertError("--id-column: column 'id' not found in " + test
                        + "; columns: sepal_length, sepal_width, petal_length, petal_width, species",
                "--model", model, "--input", test.toString(), "--output", output, "--id-column", "id");
        assertError("--output: " + csvRun + " already exists; choose another path or pass --overwrite",
                "--model", model, "--input", test.toString(), "--output", csvRun.toString());
        assertError("predict: --output is required; see dptrain predict --help",
                "--model", model, "--input", test.toString());
        assertFalse(Files.exists(Path.of(output)), "nothing written");
        try (var files = Files.list(root)) {
            assertEquals(List.of(), files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith(".never")).toList(), "no staging directory left behind");
        }
    }

    private static void assertError(String message, String... args) {
        List<String> command = new ArrayList<>(List.of("predict"));
        command.addAll(List.of(args));
        Result result = BadInputTest.cli(command.toArray(new String[0]));
        assertEquals(2, result.code(), result.err());
        assertEquals("dptrain: error: " + message + "\n", result.err());
    }
}
