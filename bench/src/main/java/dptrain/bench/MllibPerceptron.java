package dptrain.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Peer: Spark MLlib's {@code MultilayerPerceptronClassifier} (layers 784,256,128,10, L-BFGS, the
 * only solver that converges sensibly here; sigmoid hidden layers, MLlib has no other) on
 * {@code local[workers]}. It has no epochs: one L-BFGS iteration is one or more full passes over
 * the data. Timed: {@code fit} on a cached DataFrame; then test accuracy.
 *
 * <p>{@code --max-iterations M --workers 2 --data DIR --result FILE}
 */
public final class MllibPerceptron {

    private MllibPerceptron() {
    }

    public static void main(String[] args) {
        int maxIterations = Integer.parseInt(ResultFile.option(args, "max-iterations", "50"));
        int workers = Integer.parseInt(ResultFile.option(args, "workers", "2"));
        Path data = Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString()));
        SparkSession spark = SparkSession.builder().master("local[" + workers + "]").appName("bench-mllib")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        ObjectNode result = ResultFile.create();
        try {
            Dataset<Row> train = frame(spark, FashionMnist.train(data), workers).cache();
            Dataset<Row> test = frame(spark, FashionMnist.test(data), workers).cache();
            long trainRows = train.count();
            test.count();
            MultilayerPerceptronClassifier classifier = new MultilayerPerceptronClassifier()
                    .setLayers(Mlp.LAYERS)
                    .setSolver("l-bfgs")
                    .setMaxIter(maxIterations)
                    .setSeed(Mlp.SEED);
            long begin = System.nanoTime();
            MultilayerPerceptronClassificationModel model = classifier.fit(train);
            double elapsed = (System.nanoTime() - begin) / 1e9;
            double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                    .evaluate(model.transform(test));
            int iterations = model.summary().totalIterations();
            System.out.printf("mllib: %d L-BFGS iterations in %.1f s, test accuracy %.4f%n", iterations, elapsed,
                    accuracy);
            result.put("total_seconds", elapsed);
            result.put("iterations", iterations);
            result.put("final_test_accuracy", accuracy);
            result.put("train_rows", trainRows);
            result.put("blas", blasImplementation());
            result.put("config", "MultilayerPerceptronClassifier layers 784,256,128,10, l-bfgs, maxIter "
                    + maxIterations + ", blockSize 128 (default), local[" + workers + "]");
        } finally {
            spark.stop();
        }
        ResultFile.write(ResultFile.option(args, "result", "mllib.json"), result);
        System.exit(0);
    }

    private static Dataset<Row> frame(SparkSession spark, FashionMnist data, int partitions) {
        List<Row> rows = new ArrayList<>(data.rows());
        double[] pixels = new double[FashionMnist.FEATURES];
        for (int r = 0; r < data.rows(); r++) {
            for (int c = 0; c < pixels.length; c++) {
                pixels[c] = data.features()[r * FashionMnist.FEATURES + c];
            }
            rows.add(RowFactory.create((double) data.labels()[r], Vectors.dense(pixels.clone())));
        }
        StructType schema = new StructType()
                .add("label", DataTypes.DoubleType)
                .add("features", SQLDataTypes.VectorType());
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    /** Which BLAS MLlib's dense kernels run on (native system BLAS, Java Vector API, or plain Java). */
    private static String blasImplementation() {
        String java = dev.ludovic.netlib.blas.JavaBLAS.getInstance().getClass().getName();
        String nativeBlas;
        try {
            nativeBlas = dev.ludovic.netlib.blas.NativeBLAS.getInstance().getClass().getName();
        } catch (Throwable e) { // the JNI loader throws errors, not exceptions, when no native BLAS exists
            nativeBlas = "none (" + e.getClass().getSimpleName() + ")";
        }
        return "native: " + nativeBlas + "; java: " + java;
    }
}
