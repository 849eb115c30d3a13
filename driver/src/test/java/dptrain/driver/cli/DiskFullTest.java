package dptrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.driver.MiniHdfs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while a checkpoint is being written, made real with an HDFS space quota on the
 * checkpoint directory: the run fails with one line naming the checkpoint and the cause, a
 * non-zero exit, and the existing checkpoints and model stay exactly as they were (no partial or
 * temporary file left behind), so the next run resumes from the last complete checkpoint.
 */
class DiskFullTest {

    @TempDir
    Path dir;

    @Test
    void fullDiskDuringACheckpointFailsCleanlyAndKeepsThePreviousOne() throws Exception {
        MiniDFSCluster cluster = MiniHdfs.start(dir.resolve("hdfs"));
        try {
            DistributedFileSystem hdfs = cluster.getFileSystem();
            Path train = Files.writeString(dir.resolve("train.csv"), BadInputTest.csv(40, row -> String.valueOf(row % 3)));
            String run = hdfs.getUri() + "/runs/full";
            Path spec = Files.writeString(dir.resolve("spec.yaml"), BadInputTest.baseSpec(train.toString(), run));
            BadInputTest.Result first = BadInputTest.cli("train", spec.toString());
            assertEquals(0, first.code(), first.err());
            org.apache.hadoop.fs.Path checkpoints = new org.apache.hadoop.fs.Path(run + "/checkpoints");
            byte[] checkpoint = read(hdfs, run + "/checkpoints/checkpoint-000002.dpt");
            byte[] model = read(hdfs, run + "/model.zip");

            // Room for nothing more: any new block in the checkpoint directory exceeds the quota.
            hdfs.setQuota(checkpoints, HdfsConstants.QUOTA_DONT_SET, 1024);
            BadInputTest.Result full = BadInputTest.cli("train", spec.toString(), "training.epochs=4");

            assertEquals(Main.FAILED, full.code(), full.err());
            List<String> lines = full.err().lines().filter(line -> line.startsWith("dptrain: ")).toList();
            assertEquals(2, lines.size(), full.err());
            assertTrue(lines.get(0).startsWith("dptrain: failed: cannot write checkpoint " + run
                    + "/checkpoints/checkpoint-000003.dpt: The DiskSpace quota of /runs/full/checkpoints is exceeded"),
                    lines.get(0));
            assertEquals("dptrain: run with --verbose for the stack trace", lines.get(1));
            assertArrayEquals(checkpoint, read(hdfs, run + "/checkpoints/checkpoint-000002.dpt"), "checkpoint 2 changed");
            assertArrayEquals(model, read(hdfs, run + "/model.zip"), "model.zip changed");
            List<String> names = java.util.Arrays.stream(hdfs.listStatus(checkpoints))
                    .map(FileStatus::getPath).map(org.apache.hadoop.fs.Path::getName).sorted().toList();
            assertFalse(names.stream().anyMatch(name -> name.contains("000003")), "partial checkpoint left: " + names);

            // Space again: the next run resumes from the last complete checkpoint.
            hdfs.setQuota(checkpoints, HdfsConstants.QUOTA_DONT_SET, HdfsConstants.QUOTA_RESET);
            BadInputTest.Result resumed = BadInputTest.cli("train", spec.toString(), "training.epochs=4");
            assertEquals(0, resumed.code(), resumed.err());
            String summary = new String(read(hdfs, run + "/summary.json"), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(summary.contains("\"resumed_from_epoch\" : 2"), summary);
            assertTrue(summary.contains("\"epochs_total\" : 4"), summary);
        } finally {
            cluster.shutdown();
        }
    }

    private static byte[] read(DistributedFileSystem hdfs, String path) throws IOException {
        try (InputStream in = hdfs.open(new org.apache.hadoop.fs.Path(path))) {
            return in.readAllBytes();
        }
    }
}
