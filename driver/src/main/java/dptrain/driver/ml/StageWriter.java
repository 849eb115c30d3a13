package dptrain.driver.ml;

import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saves a stage to any Hadoop path: Spark ML metadata (uid, params) in {@code <path>/metadata}
 * and, for a fitted model, the network as {@code <path>/model.zip} (the same file a job writes:
 * DL4J's ModelSerializer zip plus {@code dptrain.json}, so plain DL4J and {@code dptrain predict}
 * read it too).
 */
final class StageWriter extends MLWriter {

    private final Params stage;
    private final NeuralNetModel<?> model;

    /** @param model the fitted model to save with its network, or {@code null} for an Estimator */
    StageWriter(Params stage, NeuralNetModel<?> model) {
        this.stage = stage;
        this.model = model;
    }

    @Override
    public void saveImpl(String path) {
        StageMetadata.save(stage, path, sc());
        if (model != null) {
            ModelArchive.write(path, sc().hadoopConfiguration(), model.network(), model.archiveMetadata());
        }
    }
}
