package dptrain.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

/**
 * Peer: dl4j-spark's {@code ParameterAveragingTrainingMaster} on {@code local[workers]}, set up as
 * its documentation shows: an RDD of ready mini-batches of {@code batchSizePerWorker} rows, each
 * worker fits {@code averagingFrequency} mini-batches locally, then the parameters (and updater
 * state) are averaged through Spark. Global batch = workers x batchSizePerWorker = 64.
 *
 * <p>Timed per epoch: {@code SparkDl4jMultiLayer.fit(rdd)} (its repartitioning, broadcasts, the
 * Spark jobs, averaging). The executors build their batches from the IDX file once; the test
 * evaluation after each epoch runs on the driver and is not timed.
 *
 * <p>{@code --epochs E --workers 2 --batch-per-worker 32 --averaging-frequency 5 --data DIR --result FILE}
 */
public final class Dl4jSparkParameterAveraging {

    private Dl4jSparkParameterAveraging() {
    }

    public static void main(String[] args) {
        int epochs = Integer.parseInt(ResultFile.option(args, "epochs", "3"));
        int workers = Integer.parseInt(ResultFile.option(args, "workers", "2"));
        int perWorker = Integer.parseInt(ResultFile.option(args, "batch-per-worker", "32"));
        int frequency = Integer.parseInt(ResultFile.option(args, "averaging-frequency", "5"));
        Path data = Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString()));
        ObjectNode result = ResultFile.create();
        Dl4jSparkProgram.run("dl4j-spark", data, workers, perWorker, epochs, result,
                spark -> new ParameterAveragingTrainingMaster.Builder(perWorker)
                        .batchSizePerWorker(perWorker)
                        .averagingFrequency(frequency)
                        .workerPrefetchNumBatches(2)
                        .rddTrainingApproach(RDDTrainingApproach.Direct)
                        .repartionData(Repartition.Always)
                        // Its default, MEMORY_ONLY_SER, Java-deserializes every cached batch again in every
                        // averaging round (element by element): several times slower here.
                        .storageLevel(StorageLevel.MEMORY_ONLY())
                        .rngSeed(Mlp.SEED)
                        .build());
        result.put("config", "ParameterAveragingTrainingMaster local[" + workers + "], batchSizePerWorker "
                + perWorker + ", averagingFrequency " + frequency + ", workerPrefetchNumBatches 2,"
                + " RDDTrainingApproach.Direct, Repartition.Always, storage MEMORY_ONLY, Java serializer");
        ResultFile.write(ResultFile.option(args, "result", "dl4j-spark.json"), result);
        System.exit(0);
    }
}
