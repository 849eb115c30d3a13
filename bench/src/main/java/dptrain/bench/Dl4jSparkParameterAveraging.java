package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Peer: dl4j-spark's {@code ParameterAveragingTrainingMaster} on {@code local[workers]}, set up as
 * its documentation shows: an RDD of ready mini-batches of {@code batchSizePerWorker} rows, each
 * worker fits {@code averagingFrequency} mini-batches locally, then the parameters (and updater
 * state) are averaged through Spark. Global batch = workers x batchSizePerWorker = 64.
 *
 * <p>Timed per epoch: {@code SparkDl4jMultiLayer.fit(rdd)} (its repartitioning, broadcasts, the
 * Spark jobs, averaging). The batches are built once, before the first epoch; the test
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
        FashionMnist train = FashionMnist.train(data);
        FashionMnist test = FashionMnist.test(data);

        SparkConf conf = new SparkConf().setMaster("local[" + workers + "]").setAppName("bench-dl4j-spark")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        ObjectNode result = ResultFile.create();
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            List<DataSet> batches = train.batches(train.shuffledOrder(Mlp.SEED), perWorker);
            // fit() persists its input itself (and refuses an RDD that already has a storage level). The
            // map gives it an RDD of its own to persist, so the batches are shipped to the executors once,
            // not inside every one of the averaging rounds' tasks.
            JavaRDD<DataSet> rdd = spark.parallelize(batches, workers).map(batch -> batch);
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(perWorker)
                    .batchSizePerWorker(perWorker)
                    .averagingFrequency(frequency)
                    .workerPrefetchNumBatches(2)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Always)
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
                System.out.printf("dl4j-spark epoch %d: %.2f s, test accuracy %.4f%n", epoch + 1, elapsed,
                        accuracy.get(epoch).asDouble());
            }
            result.put("train_rows", train.rows());
            result.put("config", "ParameterAveragingTrainingMaster local[" + workers + "], batchSizePerWorker "
                    + perWorker + ", averagingFrequency " + frequency + ", workerPrefetchNumBatches 2,"
                    + " RDDTrainingApproach.Direct, Repartition.Always, Java serializer");
        }
        ResultFile.write(ResultFile.option(args, "result", "dl4j-spark.json"), result);
        System.exit(0);
    }
}
