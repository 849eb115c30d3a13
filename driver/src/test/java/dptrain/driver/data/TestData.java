package dptrain.driver.data;

import dptrain.driver.config.DataFormat;
import dptrain.driver.config.DataSpec;
import dptrain.driver.config.Normalization;
import dptrain.worker.data.ShardBlock;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaRDD;

/** Small input files and spec shortcuts for the data tests. */
final class TestData {

    private TestData() {
    }

    static String write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file.toString();
    }

    static DataSpec spec(DataFormat format, String train, String label) {
        return new DataSpec(format, train, null, label, List.of(), true, 0.0, Normalization.NONE, 1.0, 0);
    }

    static DataSpec withTest(DataSpec s, String test) {
        return new DataSpec(s.format(), s.train(), test, s.label(), s.features(), s.header(), s.validationFraction(),
                s.normalize(), s.scale(), s.numFeatures());
    }

    static DataSpec withFeatures(DataSpec s, List<String> features) {
        return new DataSpec(s.format(), s.train(), s.test(), s.label(), features, s.header(), s.validationFraction(),
                s.normalize(), s.scale(), s.numFeatures());
    }

    static DataSpec withHeader(DataSpec s, boolean header) {
        return new DataSpec(s.format(), s.train(), s.test(), s.label(), s.features(), header, s.validationFraction(),
                s.normalize(), s.scale(), s.numFeatures());
    }

    static DataSpec withSplit(DataSpec s, double fraction) {
        return new DataSpec(s.format(), s.train(), s.test(), s.label(), s.features(), s.header(), fraction,
                s.normalize(), s.scale(), s.numFeatures());
    }

    static DataSpec withNormalize(DataSpec s, Normalization normalize, double scale) {
        return new DataSpec(s.format(), s.train(), s.test(), s.label(), s.features(), s.header(),
                s.validationFraction(), normalize, scale, s.numFeatures());
    }

    static DataSpec withNumFeatures(DataSpec s, int numFeatures) {
        return new DataSpec(s.format(), s.train(), s.test(), s.label(), s.features(), s.header(),
                s.validationFraction(), s.normalize(), s.scale(), numFeatures);
    }

    /** All blocks of an RDD merged into one, in partition order. */
    static ShardBlock merged(JavaRDD<ShardBlock> blocks) {
        List<ShardBlock> all = blocks.collect();
        int rows = all.stream().mapToInt(ShardBlock::rows).sum();
        int width = all.isEmpty() ? 1 : all.get(0).featureCount();
        float[] features = new float[rows * width];
        float[] labels = new float[rows];
        int at = 0;
        for (ShardBlock b : all) {
            System.arraycopy(b.features(), 0, features, at * width, b.features().length);
            System.arraycopy(b.labels(), 0, labels, at, b.rows());
            at += b.rows();
        }
        return new ShardBlock(rows, width, 1, features, labels);
    }

    /** An IDX file: header {@code 0 0 type ndims}, sizes, then unsigned bytes; gzip when the name ends in .gz. */
    static String writeIdx(Path dir, String name, int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(values);
        out.flush();
        Path file = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream sink = name.endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            sink.write(bytes.toByteArray());
        }
        return file.toString();
    }
}
