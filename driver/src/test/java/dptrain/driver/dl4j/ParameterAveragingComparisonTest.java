package dptrain.driver.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.SparkTestSession;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The same dl4j-spark program twice, only the master differs: dl4j-spark's own
 * {@link ParameterAveragingTrainingMaster} (2 workers, 32 examples each per mini-batch, parameters
 * and updater state averaged every 5 mini-batches) and {@link AllReduceTrainingMaster} (2 workers,
 * 32 examples each per iteration, gradients all-reduced every iteration). 4,000 Fashion-MNIST
 * training images in DataSets of 32, a 784-64-10 MLP with Adam, 3 epochs, accuracy on 1,000 test
 * images. Synchronous SGD on the global batch should do at least as well as averaging models that
 * drifted apart for 5 steps; prints both accuracies and epoch times (no time assertions).
 */
class ParameterAveragingComparisonTest {

    private static final int EPOCHS = 3;
    private static final int PER_WORKER = 32;
    /** Accuracy ours may lose to parameter averaging on 1,000 test images (about 3 standard errors of 0.8). */
    private static final double TOLERANCE = 0.03;

    @Test
    void allReduceReachesTheAccuracyOfParameterAveraging() throws Exception {
        Dl4jFixtures.Rows train = Dl4jFixtures.fashionMnist("train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz", 4000);
        Dl4jFixtures.Rows test = Dl4jFixtures.fashionMnist("t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz", 1000);
        List<DataSet> dataSets = Dl4jFixtures.dataSets(train, PER_WORKER);
        DataSet testSet = Dl4jFixtures.dataSets(test, 1000).get(0);
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());

        ParameterAveragingTrainingMaster averaging = new ParameterAveragingTrainingMaster.Builder(2, PER_WORKER)
                .batchSizePerWorker(PER_WORKER)
                .averagingFrequency(5)
                .workerPrefetchNumBatches(0)
                .rngSeed(42)
                .build();
        Run parameterAveraging = run("ParameterAveragingTrainingMaster", averaging,
                spark.parallelize(dataSets, 2), testSet);
        AllReduceTrainingMaster allReduce = new AllReduceTrainingMaster.Builder(2).batchSizePerWorker(PER_WORKER)
                .rngSeed(42).build();
        Run ours = run("AllReduceTrainingMaster", allReduce, spark.parallelize(dataSets, 2), testSet);
        allReduce.deleteTempFiles(spark);
        averaging.deleteTempFiles(spark);

        assertTrue(ours.accuracy() >= parameterAveraging.accuracy() - TOLERANCE, "AllReduceTrainingMaster "
                + ours.accuracy() + " vs ParameterAveragingTrainingMaster " + parameterAveraging.accuracy());
    }

    private record Run(double accuracy, double seconds) {
    }

    private static Run run(String name, TrainingMaster<?, ?> master, JavaRDD<DataSet> data, DataSet test) {
        MultiLayerConfiguration conf = Dl4jFixtures.mlp(784, 64, 10, Activation.RELU, new Adam(0.001), 0, 42);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(data.context(), conf, master);
        double total = 0;
        double accuracy = 0;
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            long begin = System.nanoTime();
            MultiLayerNetwork net = sparkNet.fit(data);
            double seconds = (System.nanoTime() - begin) / 1e9;
            total += seconds;
            Evaluation evaluation = new Evaluation(10);
            evaluation.eval(test.getLabels(), net.output(test.getFeatures(), false));
            accuracy = evaluation.accuracy();
            System.out.printf(Locale.ROOT, "%s epoch %d: %.2f s, test accuracy %.4f%n", name, epoch, seconds,
                    accuracy);
        }
        System.out.printf(Locale.ROOT, "%s: %d epochs in %.2f s, test accuracy %.4f%n", name, EPOCHS, total, accuracy);
        return new Run(accuracy, total);
    }
}
