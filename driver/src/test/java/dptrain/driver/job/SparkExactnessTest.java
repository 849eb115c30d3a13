package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import dptrain.driver.config.JobSpec;
import dptrain.driver.data.DatasetPreparer;
import dptrain.driver.data.LabelEncoding;
import dptrain.driver.data.PreparedData;
import dptrain.driver.network.NetworkFactory;
import dptrain.worker.data.BatchPlan;
import dptrain.worker.data.ShardBlock;
import dptrain.worker.step.NetworkState;
import dptrain.worker.testing.ReferenceTraining;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product path — Spark barrier stages, the socket ring, checkpoints — against plain
 * single-process DL4J {@code fit} on the same global batches: 2 workers, shards of different
 * sizes (203 rows), a short last batch (203 = 12 x 16 + 11), 4 epochs = 52 iterations.
 */
class SparkExactnessTest {

    private static final int ROWS = 203;
    private static final int BATCH = 16;
    private static final int EPOCHS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void twoWorkersOnSparkMatchSingleProcessDl4j(String optimizer) throws Exception {
        Path train = JobFixtures.classificationCsv(dir, "train.csv", ROWS, 9);
        Path output = dir.resolve("out");
        JobSpec spec = JobFixtures.spec(JobFixtures.classificationSpec(train, null, output),
                "data.validation_fraction=0", "training.batch_size=" + BATCH, "training.epochs=" + EPOCHS,
                "training.optimizer.type=" + optimizer, "training.optimizer.learning_rate=0.05", "model.l2=0.001");

        TrainJob.run(SparkTestSession.get(), spec);
        Checkpoint distributed = CheckpointReader.latest(output.resolve("checkpoints"));

        // The reference sees the same shards (same input and seed give the same split) and
        // nothing else of dptrain: one DL4J fit per global batch.
        PreparedData data = DatasetPreparer.prepare(SparkTestSession.get(), spec.data(),
                new LabelEncoding.ClassIndices(3), 2, spec.training().seed());
        List<ShardBlock> shards = data.train().collect();
        ShardBlock[] blocks = shards.toArray(ShardBlock[]::new);
        long[] shardRows = {blocks[0].rows(), blocks[1].rows()};
        assertEquals(ROWS, shardRows[0] + shardRows[1]);
        String json = NetworkFactory.configuration(spec.model(), spec.training().optimizer(), 5,
                spec.training().seed()).toJson();
        MultiLayerNetwork reference = (MultiLayerNetwork) NetworkState.initial(json).restore(json).model();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            ReferenceTraining.fitEpoch(reference, blocks,
                    new BatchPlan(shardRows, BATCH, spec.training().seed(), epoch), 3);
        }
        data.train().unpersist();

        assertEquals(EPOCHS * 13, distributed.state().iteration());
        ReferenceTraining.assertClose(reference.params().toFloatVector(), distributed.state().params(), 1e-5);
    }
}
