package dptrain.driver.ml;

import dptrain.driver.BadInputException;
import dptrain.driver.BuildVersion;
import dptrain.driver.config.DataFormat;
import dptrain.driver.config.Task;
import dptrain.driver.data.FeatureScaling;
import dptrain.driver.report.ModelCard;
import dptrain.driver.report.ModelExport;
import dptrain.driver.report.OutputDirectory;
import dptrain.worker.step.Network;
import dptrain.worker.step.NetworkState;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Model;

/**
 * A {@code model.zip} on any Hadoop path: DL4J's ModelSerializer zip plus the {@code dptrain.json}
 * entry. Written by a job ({@code TrainJob}) and by a saved Spark ML model; read by model loading
 * and by batch prediction.
 *
 * @param network the network with what scoring needs
 * @param card    the {@code dptrain.json} entry
 */
record ModelArchive(TrainedNetwork network, ModelCard card) {

    static final String FILE = ModelExport.FILE;

    /** Writes {@code dir/model.zip} atomically. */
    static void write(String dir, Configuration hadoop, TrainedNetwork network, ModelCard card) {
        Model model = network.state().restore(network.configurationJson()).model();
        ModelExport.write(new OutputDirectory(dir, hadoop), model, card);
    }

    /** Reads a {@code model.zip}; a missing or unreadable file is a one-line {@link BadInputException}. */
    static ModelArchive read(String file, Configuration hadoop) {
        ModelExport.Loaded loaded = ModelExport.read(file, hadoop, true);
        Network net = loaded.network();
        ModelCard card = loaded.card();
        String configurationJson = net.model() instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork stack
                ? stack.getLayerWiseConfigurations().toJson()
                : ((org.deeplearning4j.nn.graph.ComputationGraph) net.model()).getConfiguration().toJson();
        Task task = card.task();
        if (task == null) {
            throw new BadInputException(file + " is not a dptrain model.zip: its " + ModelExport.METADATA_ENTRY
                    + " names no task (classification or regression)");
        }
        TrainedNetwork network = new TrainedNetwork(configurationJson, NetworkState.capture(net), task,
                card.featureCount(), task == Task.CLASSIFICATION ? card.labelNames() : List.of(),
                card.trainLoss() == null ? new double[0] : card.trainLoss());
        return new ModelArchive(network, card);
    }

    /** The card of a model fitted by a Spark ML Estimator (no spec: features come as one vector, unscaled). */
    static ModelCard card(TrainedNetwork network, String featuresCol, long seed) {
        return new ModelCard(ModelCard.FORMAT, BuildVersion.current(), Instant.now(), network.task(), seed,
                network.state().epoch(), network.state().iteration(), network.featureCount(), "a Spark ML DataFrame",
                DataFormat.PARQUET, null, featuresCol, network.labelNames(), List.of(),
                FeatureScaling.identity(network.featureCount()), network.trainLoss(), null);
    }
}
