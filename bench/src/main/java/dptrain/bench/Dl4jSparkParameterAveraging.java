package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
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
 * Spark jobs, averaging). The executors build their batches from the IDX file once; the test
 * evaluation after each epoch runs on the driver and is not timed.
 *
 * <p>{@code --epochs E --workers 2 --batch-per-worker 32 --averaging-frequency 5 --data DIR --result FILE}
 */
public final class Dl4jSparkParameterAveraging {

    private Dl4jSparkParameterAveraging() {
    }

    /** Every {@code workers}-th mini-batch of a seeded shuffle of the training rows, from {@code shard}. */
    static List<DataSet> shardBatches(String dir, int shard, int workers, int perWorker) {
        FashionMnist train = FashionMnist.train(Path.of(dir));
        List<DataSet> all = train.batches(train.shuffledOrder(Mlp.SEED), perWorker);
        List<DataSet> mine = new java.util.ArrayList<>();
        for (int i = shard; i < all.size(); i += workers) {
            mine.add(all.get(i));
        }
        return mine;
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
            // The executors read their shard of the IDX file themselves, as a Spark job reads its input:
            // a parallelize()d list of batches would travel inside every task of every averaging round.
            // fit() persists this RDD itself (it refuses one that already has a storage level).
            String dir = data.toString();
            JavaRDD<DataSet> rdd = spark.parallelize(java.util.stream.IntStream.range(0, workers).boxed().toList(), workers)
                    .flatMap(shard -> shardBatches(dir, shard, workers, perWorker).iterator());
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(perWorker)
                    .batchSizePerWorker(perWorker)
                    .averagingFrequency(frequency)
                    .workerPrefetchNumBatches(2)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.Always)
                    // Its default, MEMORY_ONLY_SER, Java-deserializes every cached batch again in every
                    // averaging round (element by element): several times slower here.
                    .storageLevel(StorageLevel.MEMORY_ONLY())
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
                    + " RDDTrainingApproach.Direct, Repartition.Always, storage MEMORY_ONLY, Java serializer");
        }
        ResultFile.write(ResultFile.option(args, "result", "dl4j-spark.json"), result);
        System.exit(0);
    }
}
