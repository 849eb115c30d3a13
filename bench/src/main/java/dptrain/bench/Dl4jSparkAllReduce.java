package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.dl4j.AllReduceTrainingMaster;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;

/**
 * dptrain as a dl4j-spark user meets it: the program of {@link Dl4jSparkParameterAveraging}
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
        FashionMnist train = FashionMnist.train(data);
        FashionMnist test = FashionMnist.test(data);

        SparkConf conf = new SparkConf().setMaster("local[" + workers + "]").setAppName("bench-dl4j-spark-allreduce")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        ObjectNode result = ResultFile.create();
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            String dir = data.toString();
            JavaRDD<DataSet> rdd = spark.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
                    .flatMap(shard -> Dl4jSparkParameterAveraging.shardBatches(dir, shard, workers, perWorker)
                            .iterator());
            AllReduceTrainingMaster master = new AllReduceTrainingMaster.Builder(workers)
                    .batchSizePerWorker(perWorker)
                    .rngSeed(Mlp.SEED)
                    .build();
            SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(spark, Mlp.configuration(), master);
            ArrayNode seconds = result.putArray("epoch_seconds");
            ArrayNode accuracy = result.putArray("test_accuracy");
            for (int epoch = 0; epoch < epochs; epoch++) {
                long begin = System.nanoTime();
                net.fit(rdd);
                double elapsed = (System.nanoTime() - begin) / 1e9;
                seconds.add(elapsed);
                accuracy.add(Mlp.accuracy(net.getNetwork(), test));
                System.out.printf("dl4j-spark + AllReduceTrainingMaster epoch %d: %.2f s, test accuracy %.4f%n",
                        epoch + 1, elapsed, accuracy.get(epoch).asDouble());
            }
            master.deleteTempFiles(spark);
            result.put("train_rows", train.rows());
            result.put("config", "SparkDl4jMultiLayer + dptrain AllReduceTrainingMaster local[" + workers
                    + "], batchSizePerWorker " + perWorker + " (global batch " + workers * perWorker
                    + "), gradient all-reduce every iteration, shards cached MEMORY_ONLY");
        }
        ResultFile.write(ResultFile.option(args, "result", "dl4j-spark-allreduce.json"), result);
        System.exit(0);
    }
}
