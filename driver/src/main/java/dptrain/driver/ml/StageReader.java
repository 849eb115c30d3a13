package dptrain.driver.ml;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;

/** Loads what {@link StageWriter} saved: a new stage of the saved uid with the saved params. */
final class StageReader<T extends Params> extends MLReader<T> {

    /** Builds the stage of a uid; {@code network} is {@code null} for an Estimator. */
    @FunctionalInterface
    interface Factory<T> {
        T create(String uid, TrainedNetwork network);
    }

    private final Class<T> type;
    private final boolean withNetwork;
    private final Factory<T> factory;

    StageReader(Class<T> type, boolean withNetwork, Factory<T> factory) {
        this.type = type;
        this.withNetwork = withNetwork;
        this.factory = factory;
    }

    @Override
    public T load(String path) {
        JsonNode metadata = StageMetadata.load(path, sc(), type);
        TrainedNetwork network = withNetwork ? ModelArchive.read(new Path(path, ModelArchive.FILE).toString(),
                sc().hadoopConfiguration()).network() : null;
        return StageMetadata.applyParams(factory.create(metadata.path("uid").asText(), network), metadata);
    }
}
