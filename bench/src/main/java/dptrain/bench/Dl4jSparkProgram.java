package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The dl4j-spark program both dl4j-spark rows run, as its documentation shows it: an RDD of ready
 * mini-batches of {@code batchSizePerWorker} rows that the executors read from the IDX file
 * themselves, {@code new SparkDl4jMultiLayer(sc, conf, master)} and {@code fit(rdd)} once per
 * epoch on {@code local[workers]}. Only the {@link TrainingMaster} differs between the rows.
 *
 * <p>Timed per epoch: {@code fit(rdd)}; the test evaluation after each epoch runs on the driver
 * and is not timed.
 */
final class Dl4jSparkProgram {

    private Dl4jSparkProgram() {
    }

    /**
     * Runs {@code epochs} epochs with the master {@code masterFor} builds and puts
     * {@code epoch_seconds}, {@code test_accuracy} and {@code train_rows} into {@code result}.
     */
    static void run(String name, Path data, int workers, int perWorker, int epochs, ObjectNode result,
                    Function<JavaSparkContext, TrainingMaster<?, ?>> masterFor) {
        FashionMnist train = FashionMnist.train(data);
        FashionMnist test = FashionMnist.test(data);
        SparkConf conf = new SparkConf().setMaster("local[" + workers + "]").setAppName("bench-" + name)
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false");
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            // The executors read their shard of the IDX file themselves, as a Spark job reads its input:
            // a parallelize()d list of batches would travel inside every task of every averaging round.
            // fit() persists this RDD itself (it refuses one that already has a storage level).
            String dir = data.toString();
            JavaRDD<DataSet> rdd = spark.parallelize(IntStream.range(0, workers).boxed().toList(), workers)
                    .flatMap(shard -> shardBatches(dir, shard, workers, perWorker).iterator());
            TrainingMaster<?, ?> master = masterFor.apply(spark);
            SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(spark, Mlp.configuration(), master);
            ArrayNode seconds = result.putArray("epoch_seconds");
            ArrayNode accuracy = result.putArray("test_accuracy");
            for (int epoch = 0; epoch < epochs; epoch++) {
                long begin = System.nanoTime();
                net.fit(rdd);
                double elapsed = (System.nanoTime() - begin) / 1e9;
                seconds.add(elapsed);
                accuracy.add(Mlp.accuracy(net.getNetwork(), test));
                System.out.printf("%s epoch %d: %.2f s, test accuracy %.4f%n", name, epoch + 1, elapsed,
                        accuracy.get(epoch).asDouble());
            }
            master.deleteTempFiles(spark);
            result.put("train_rows", train.rows());
        }
    }

    /** Every {@code workers}-th mini-batch of a seeded shuffle of the training rows, from {@code shard}. */
    static List<DataSet> shardBatches(String dir, int shard, int workers, int perWorker) {
        FashionMnist train = FashionMnist.train(Path.of(dir));
        List<DataSet> all = train.batches(train.shuffledOrder(Mlp.SEED), perWorker);
        List<DataSet> mine = new ArrayList<>();
        for (int i = shard; i < all.size(); i += workers) {
            mine.add(all.get(i));
        }
        return mine;
    }
}
