package dptrain.driver.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.config.Task;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A {@code model.zip} on any Hadoop path: DL4J's ModelSerializer zip plus the {@code dptrain.json}
 * entry. Written by a job ({@code TrainJob}) and by a saved Spark ML model; read by model loading
 * and by batch prediction.
 *
 * @param network  the network with what scoring needs
 * @param metadata the {@code dptrain.json} entry
 */
record ModelArchive(TrainedNetwork network, JsonNode metadata) {

    static final String FILE = ModelExport.FILE;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes {@code dir/model.zip} atomically. */
    static void write(String dir, Configuration hadoop, TrainedNetwork network, ObjectNode metadata) {
        Model model = network.state().restore(network.configurationJson()).model();
        ModelExport.write(new OutputDirectory(dir, hadoop), model, metadata.toString());
    }

    /** Reads a {@code model.zip}; a missing or unreadable file is a one-line {@link BadInputException}. */
    static ModelArchive read(String file, Configuration hadoop) {
        ModelExport.Loaded loaded = ModelExport.read(file, hadoop, true);
        Network net = loaded.network();
        JsonNode metadata = loaded.metadata();
        String configurationJson = net.model() instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork stack
                ? stack.getLayerWiseConfigurations().toJson()
                : ((org.deeplearning4j.nn.graph.ComputationGraph) net.model()).getConfiguration().toJson();
        Task task;
        try {
            task = Task.valueOf(metadata.path("task").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + " is not a dptrain model.zip: its " + ModelExport.METADATA_ENTRY
                    + " names no task (classification or regression)");
        }
        List<String> labels = new ArrayList<>();
        metadata.path("label_names").forEach(name -> labels.add(name.asText()));
        JsonNode losses = metadata.path("train_loss");
        double[] trainLoss = new double[losses.size()];
        for (int i = 0; i < trainLoss.length; i++) {
            trainLoss[i] = losses.get(i).asDouble();
        }
        TrainedNetwork network = new TrainedNetwork(configurationJson, NetworkState.capture(net), task,
                metadata.path("feature_count").asInt(), task == Task.CLASSIFICATION ? labels : List.of(), trainLoss);
        return new ModelArchive(network, metadata);
    }

    /** {@code dptrain.json} of a model fitted by a Spark ML Estimator (no spec: features come as one vector). */
    static ObjectNode metadata(TrainedNetwork network, String featuresCol, long seed, String version) {
        ObjectNode metadata = JSON.createObjectNode()
                .put("format", 1)
                .put("version", version)
                .put("created_at", java.time.Instant.now().toString())
                .put("task", network.task().name().toLowerCase(Locale.ROOT))
                .put("seed", seed)
                .put("epochs", network.state().epoch())
                .put("iterations", network.state().iteration())
                .put("feature_count", network.featureCount())
                .put("train_data", "a Spark ML DataFrame")
                .put("data_format", "parquet")
                .put("features_col", featuresCol);
        ArrayNode labels = metadata.putArray("label_names");
        network.labelNames().forEach(labels::add);
        metadata.putArray("feature_columns");
        ObjectNode scaling = metadata.putObject("scaling");
        ArrayNode offset = scaling.putArray("offset");
        ArrayNode divisor = scaling.putArray("divisor");
        for (int j = 0; j < network.featureCount(); j++) {
            offset.add(0f);
            divisor.add(1f);
        }
        ArrayNode losses = metadata.putArray("train_loss");
        for (double loss : network.trainLoss()) {
            losses.add(loss);
        }
        return metadata;
    }
}
