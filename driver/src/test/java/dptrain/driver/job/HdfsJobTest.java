package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dptrain.driver.MiniHdfs;
import dptrain.driver.SparkTestSession;
import dptrain.driver.checkpoint.Checkpoint;
import dptrain.driver.checkpoint.CheckpointReader;
import dptrain.driver.checkpoint.Checkpointer;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input, checkpoints and outputs on a real HDFS (a MiniDFSCluster: name node and data node in
 * this JVM, on loopback): a run reads its CSV from HDFS, writes checkpoints, metrics, summary and
 * model there, and a second run with more epochs resumes from the HDFS checkpoint to exactly the
 * parameters of an uninterrupted run on the local file system.
 */
class HdfsJobTest {

    @TempDir
    static Path hdfsBase;

    @TempDir
    Path dir;

    private static MiniDFSCluster cluster;

    @BeforeAll
    static void startHdfs() throws Exception {
        cluster = MiniHdfs.start(hdfsBase);
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void trainsFromHdfsCheckpointsThereAndResumesToTheUninterruptedParameters() throws Exception {
        Path localTrain = JobFixtures.classificationCsv(dir, "train.csv", 300, 5);
        FileSystem hdfs = cluster.getFileSystem();
        hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(localTrain.toUri()),
                new org.apache.hadoop.fs.Path("/data/train.csv"));
        String root = hdfs.getUri().toString();
        String run = root + "/runs/a";
        String spec = JobFixtures.classificationSpec(localTrain, null, dir.resolve("unused"));
        String[] onHdfs = {"data.train=" + root + "/data/train.csv", "output.dir=" + run};

        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec, with(onHdfs, "training.epochs=2")));
        TrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec, with(onHdfs, "training.epochs=4")));
        Path straight = dir.resolve("straight");
        TrainJob.run(SparkTestSession.get(),
                JobFixtures.spec(JobFixtures.classificationSpec(localTrain, null, straight), "training.epochs=4"));

        Checkpoint resumed = new Checkpointer(run + "/checkpoints", Integer.MAX_VALUE, hdfs.getConf()).latest()
                .orElseThrow(() -> new AssertionError("no checkpoint on HDFS under " + run));
        Checkpoint uninterrupted = CheckpointReader.latest(straight.resolve("checkpoints"));
        assertEquals(4, resumed.state().epoch());
        assertArrayEquals(uninterrupted.state().params(), resumed.state().params(), "parameters after resume");
        assertArrayEquals(uninterrupted.state().updaterState(), resumed.state().updaterState(), "Adam state");

        JsonNode summary;
        try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(run + "/summary.json"))) {
            summary = JobFixtures.JSON.readTree(in);
        }
        assertEquals(2, summary.get("resumed_from_epoch").asInt(), summary.toString());
        assertEquals(4, summary.get("epochs_total").asInt(), summary.toString());
        try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(run + "/metrics.jsonl"))) {
            assertEquals(4, new String(in.readAllBytes()).lines().count(), "metrics lines on HDFS");
        }
        try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(run + "/report.html"))) {
            String report = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(report.contains("<tr><th>resumed from epoch</th><td>2</td></tr>"), "report.html on HDFS");
            assertEquals(4, report.split("\\{\"epoch\":", -1).length - 1, "epochs drawn in report.html on HDFS");
        }
        Path model = dir.resolve("model.zip");
        hdfs.copyToLocalFile(new org.apache.hadoop.fs.Path(run + "/model.zip"), new org.apache.hadoop.fs.Path(model.toUri()));
        MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
        assertArrayEquals(resumed.state().params(), network.params().toFloatVector(), "model.zip read back from HDFS");
    }

    private static String[] with(String[] overrides, String more) {
        String[] all = java.util.Arrays.copyOf(overrides, overrides.length + 1);
        all[overrides.length] = more;
        return all;
    }
}
