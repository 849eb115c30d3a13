package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.MiniHdfs;
import dptrain.driver.SparkTestSession;
import dptrain.driver.registry.ModelRegistry;
import dptrain.driver.registry.RegistryVersion;
import dptrain.worker.step.NetworkState;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model registry on a real HDFS (MiniDFSCluster in this JVM): the first retrain creates it and
 * promotes v0001, the second warm-starts from v0001's {@code model.zip} on HDFS and is rejected by
 * its margin, and promote and rollback replace the {@code current} pointer there (HDFS's atomic
 * rename with overwrite).
 */
class RetrainHdfsTest {

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
    void aRegistryOnHdfsTakesVersionsAndSwitchesItsPointer() throws Exception {
        Path table = dir.resolve("events");
        Path holdout = dir.resolve("holdout");
        RetrainFixtures.appendDay(table, "2026-11-01", 200, 1);
        RetrainFixtures.appendDay(table, "2026-11-02", 200, 2);
        RetrainFixtures.holdout(holdout, 200, 99);
        FileSystem hdfs = cluster.getFileSystem();
        String registryDir = hdfs.getUri() + "/ml/events/models";
        String spec = RetrainFixtures.spec(table, holdout, dir.resolve("out"));

        RetrainOutcome first = RetrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec,
                "registry.dir=" + registryDir, "data.since=2026-11-01"));
        AtomicReference<NetworkState> start = new AtomicReference<>();
        RetrainOutcome second = RetrainJob.run(SparkTestSession.get(), JobFixtures.spec(spec,
                "registry.dir=" + registryDir, "data.since=2026-11-02", "retrain.min_improvement=1"), start::set);

        assertEquals("v0001", first.version());
        assertTrue(first.promoted());
        assertEquals("v0002", second.version());
        assertFalse(second.promoted());
        assertEquals(first.candidateMetric(), second.currentMetric());
        try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(registryDir + "/v0001/model.zip"))) {
            MultiLayerNetwork v1 = ModelSerializer.restoreMultiLayerNetwork(in, false);
            assertArrayEquals(v1.params().toFloatVector(), start.get().params(), 0f);
        }
        ModelRegistry registry = ModelRegistry.existing(registryDir, hdfs.getConf(), "--registry");
        assertEquals(List.of("v0001", "v0002"), registry.versions().stream().map(RegistryVersion::name).toList());
        assertEquals(List.of("promoted", "rejected"), registry.versions().stream().map(RegistryVersion::status).toList());
        assertEquals("v0001\n", read(hdfs, registryDir + "/current"));

        assertEquals(Optional.of("v0001"), registry.promote("v0002", "models promote"));
        assertEquals("v0002\n", read(hdfs, registryDir + "/current"));
        assertEquals("v0002", registry.rollback("models rollback")[0]);
        assertEquals("v0001\n", read(hdfs, registryDir + "/current"));
        assertFalse(hdfs.exists(new org.apache.hadoop.fs.Path(registryDir + "/current.previous")));
        assertFalse(hdfs.exists(new org.apache.hadoop.fs.Path(registryDir + "/v0002/checkpoints")));
    }

    private static String read(FileSystem fs, String file) throws Exception {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
