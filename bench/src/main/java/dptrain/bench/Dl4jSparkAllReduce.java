package dptrain.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.dl4j.AllReduceTrainingMaster;
import java.nio.file.Path;

/**
 * dptrain as a dl4j-spark user meets it: the {@link Dl4jSparkProgram} that {@link Dl4jSparkParameterAveraging} runs
 * (same RDD of 32-example DataSets read by the executors, same {@code SparkDl4jMultiLayer.fit(rdd)}
 * per epoch, same model, seed and local[workers]) with the one line that builds the master changed
 * to dptrain's {@link AllReduceTrainingMaster}: 2 workers x 32 examples = global batch 64, gradients
 * all-reduced every iteration.
 *
 * <p>Timed per epoch: {@code fit(rdd)} (the first includes cutting the RDD into cached shards);
 * the test evaluation after each epoch runs on the driver and is not timed.
 *
 * <p>{@code --epochs E --workers 2 --batch-per-worker 32 --data DIR --result FILE}
 */
public final class Dl4jSparkAllReduce {

    private Dl4jSparkAllReduce() {
    }

    public static void main(String[] args) {
        int epochs = Integer.parseInt(ResultFile.option(args, "epochs", "3"));
        int workers = Integer.parseInt(ResultFile.option(args, "workers", "2"));
        int perWorker = Integer.parseInt(ResultFile.option(args, "batch-per-worker", "32"));
        Path data = Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString()));
        ObjectNode result = ResultFile.create();
        Dl4jSparkProgram.run("dl4j-spark + AllReduceTrainingMaster", data, workers, perWorker, epochs, result,
                spark -> new AllReduceTrainingMaster.Builder(workers)
                        .batchSizePerWorker(perWorker)
                        .rngSeed(Mlp.SEED)
                        .build());
        result.put("config", "SparkDl4jMultiLayer + dptrain AllReduceTrainingMaster local[" + workers
                + "], batchSizePerWorker " + perWorker + " (global batch " + workers * perWorker
                + "), gradient all-reduce every iteration, shards cached MEMORY_ONLY");
        ResultFile.write(ResultFile.option(args, "result", "dl4j-spark-allreduce.json"), result);
        System.exit(0);
    }
}
