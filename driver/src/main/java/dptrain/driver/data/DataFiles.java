package dptrain.driver.data;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Checks on input paths through the Hadoop FileSystem API, so any Hadoop URI works. */
final class DataFiles {

    private DataFiles() {
    }

    /** Fails with {@code key: path not found: path} or {@code key: file is empty: path}. */
    static void requireData(SparkSession spark, String path, String key) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new DataException(key + ": path not found: " + path);
            }
            long bytes = 0;
            for (FileStatus match : matches) {
                bytes += match.isDirectory() ? fs.getContentSummary(match.getPath()).getLength() : match.getLen();
            }
            if (bytes == 0) {
                throw new DataException(key + ": file is empty: " + path);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DataException(key + ": cannot read " + path + ": " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** The driver's Hadoop configuration, shipped to executors (Configuration is Writable, not Serializable). */
    static final class HadoopConf implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient Configuration conf;

        HadoopConf(Configuration conf) {
            this.conf = conf;
        }

        Configuration get() {
            return conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }
}
