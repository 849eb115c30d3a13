package dptrain.driver.dl4j;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.spark.data.loader.RemoteFileSourceFactory;
import org.nd4j.common.loader.Loader;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Every form of training data dl4j-spark hands a TrainingMaster (DataSets, MultiDataSets, paths of
 * saved ones), as the one form the master shards: an RDD of DataSets, lazily, so that nothing is
 * read before the shards are built.
 */
final class DataSetInputs {

    private DataSetInputs() {
    }

    /** MultiDataSets of one features and one labels array each. */
    static JavaRDD<DataSet> ofMultiDataSets(JavaRDD<MultiDataSet> data) {
        return data.map(DataSetInputs::single);
    }

    /** Saved DataSets (or MultiDataSets, without a DataSet loader) at any Hadoop path, read by dl4j-spark's loaders. */
    static JavaRDD<DataSet> ofPaths(JavaRDD<String> paths, DataSetLoader dataSetLoader,
                                    MultiDataSetLoader multiDataSetLoader) {
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(paths.context());
        Broadcast<SerializableHadoopConfig> hadoop = spark.broadcast(
                new SerializableHadoopConfig(spark.hadoopConfiguration()));
        return dataSetLoader != null ? load(paths, hadoop, dataSetLoader)
                : load(paths, hadoop, multiDataSetLoader).map(DataSetInputs::single);
    }

    private static <T> JavaRDD<T> load(JavaRDD<String> paths, Broadcast<SerializableHadoopConfig> hadoop,
                                       Loader<T> loader) {
        return paths.map(path -> loader.load(new RemoteFileSourceFactory(hadoop).getSource(path)));
    }

    /** A MultiDataSet of one features and one labels array as a DataSet (masks kept, so they are refused). */
    private static DataSet single(MultiDataSet data) {
        if (data.numFeatureArrays() != 1 || data.numLabelsArrays() != 1) {
            throw new IllegalArgumentException("a MultiDataSet with " + data.numFeatureArrays() + " features and "
                    + data.numLabelsArrays() + " labels arrays; AllReduceTrainingMaster trains graphs with one"
                    + " input and one output");
        }
        return new DataSet(data.getFeatures(0), data.getLabels(0),
                data.getFeaturesMaskArrays() == null ? null : data.getFeaturesMaskArray(0),
                data.getLabelsMaskArrays() == null ? null : data.getLabelsMaskArray(0));
    }
}
