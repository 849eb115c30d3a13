package dptrain.driver.job;

import dptrain.driver.config.JobSpec;
import dptrain.driver.config.OptimizerSpec;
import dptrain.driver.config.TrainingSpec;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.PreparedData;
import dptrain.driver.network.NetworkOutput;
import dptrain.driver.network.NetworkFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What a job trains on and with, read and checked before anything is written: the prepared data,
 * the output layer (task, classes, label encoding), the network configuration (built from the spec,
 * or a DL4J configuration it imports) and the updater whose learning-rate schedule the epochs report.
 *
 * @param data          the cached shards, validation split and test set
 * @param output        the output layer: what the labels are and how they are encoded
 * @param configuration the DL4J configuration JSON of the network to train
 * @param updater       the spec's optimizer, its schedule over the whole run
 */
record RunInputs(PreparedData data, NetworkOutput output, String configuration, IUpdater updater) {

    /**
     * @param warm where a retrain starts from (its normalisation, features and classes), or {@code null}
     */
    static RunInputs prepare(SparkSession spark, JobSpec spec, WarmStart warm) {
        TrainingSpec training = spec.training();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String dl4jJson = spec.model().dl4jJson();
        String imported = dl4jJson == null ? null : NetworkFactory.readConfiguration(dl4jJson, hadoop);
        NetworkOutput output = imported == null ? NetworkOutput.of(spec.model().outputLayer())
                : NetworkOutput.of(imported, dl4jJson);
        PreparedData data = DatasetPreparer.prepare(spark, spec.data(), output.labelEncoding(), training.workers(),
                training.seed(), warm == null ? null : warm.scaling());
        spec.data().checkShape(data.featureCount());
        if (warm != null) {
            warm.checkData(data);
        }
        // the schedule runs on the global iteration count; "decay over the whole run" needs its length
        int iterationsPerEpoch = Math.toIntExact((data.trainRows() + training.batchSize() - 1) / training.batchSize());
        OptimizerSpec optimizer = training.optimizer().forRun(iterationsPerEpoch * training.epochs());
        String configuration;
        if (imported != null) {
            NetworkFactory.checkInputWidth(imported, dl4jJson, data.featureCount());
            configuration = imported;
        } else {
            configuration = NetworkFactory.configuration(spec.model(), optimizer, spec.data().shape(),
                    data.featureCount(), training.seed()).toJson();
        }
        return new RunInputs(data, output, configuration, NetworkFactory.updater(optimizer));
    }
}
