package dptrain.driver;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** A real HDFS for tests: a name node and one data node in this JVM, on loopback, stored under a temp dir. */
public final class MiniHdfs {

    private MiniHdfs() {
    }

    public static MiniDFSCluster start(Path base) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return cluster;
    }
}
