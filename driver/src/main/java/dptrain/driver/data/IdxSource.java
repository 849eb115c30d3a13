package dptrain.driver.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.TaskCompletionListener;

/**
 * IDX files (the MNIST format): a big-endian header {@code 0 0 type ndims}, {@code ndims} sizes,
 * then the values. The images file holds {@code n x d1 x d2 ...}, the labels file beside it
 * ({@code images -> labels}, {@code idx3 -> idx1} in the name) holds {@code n} labels. Headers are
 * checked on the driver; executors read contiguous ranges of items through the Hadoop FileSystem
 * API ({@code .gz} and other codecs by file suffix), so the data is never collected on the driver.
 */
final class IdxSource {

    /** Items per task; a compressed file is decompressed from its start by every task. */
    private static final int ITEMS_PER_PARTITION = 20_000;

    private IdxSource() {
    }

    /** A parsed IDX header. */
    record Header(int type, int[] dims, int headerBytes) implements java.io.Serializable {
        long items() {
            return dims[0];
        }

        int itemWidth() {
            int width = 1;
            for (int i = 1; i < dims.length; i++) {
                width *= dims[i];
            }
            return width;
        }

        String shape() {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < dims.length; i++) {
                out.append(i > 1 ? "x" : "").append(dims[i]);
            }
            return out.toString();
        }
    }

    static String labelsPath(String imagesPath, String key) {
        int slash = imagesPath.lastIndexOf('/');
        String dir = imagesPath.substring(0, slash + 1);
        String name = imagesPath.substring(slash + 1);
        String labels = name.replace("images", "labels").replace("idx3", "idx1");
        if (labels.equals(name)) {
            throw new DataException(key + ": cannot find the labels file for " + imagesPath
                    + ": its name contains neither 'images' nor 'idx3'");
        }
        return dir + labels;
    }

    static SourceData read(SparkSession spark, String path, String key, LabelEncoding labels, SourceData train) {
        String labelsPath = labelsPath(path, key);
        DataFiles.requireData(spark, labelsPath, key);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Header images = header(conf, path, key);
        Header labelHeader = header(conf, labelsPath, key);
        if (images.dims().length < 2) {
            throw new DataException(key + ": " + path + " is not an IDX images file: it has "
                    + images.dims().length + " dimension; images need at least 2");
        }
        if (labelHeader.dims().length != 1) {
            throw new DataException(key + ": " + labelsPath + " is not an IDX labels file: it has "
                    + labelHeader.dims().length + " dimensions; labels need 1");
        }
        if (images.items() != labelHeader.items()) {
            throw new DataException(key + ": " + path + " has " + images.items() + " images but " + labelsPath
                    + " has " + labelHeader.items() + " labels");
        }
        if (images.items() == 0) {
            throw new DataException(key + ": no images in " + path);
        }
        int width = images.itemWidth();
        if (train != null && width != train.featureCount()) {
            throw new DataException(key + ": " + path + " has images of " + images.shape() + " = " + width
                    + " values; the training images have " + train.featureCount());
        }
        List<long[]> ranges = new ArrayList<>();
        for (long start = 0; start < images.items(); start += ITEMS_PER_PARTITION) {
            ranges.add(new long[] {start, Math.min(images.items(), start + ITEMS_PER_PARTITION)});
        }
        RowOrigin origin = new RowOrigin(path, labelsPath, "item", 1);
        DataFiles.HadoopConf shipped = new DataFiles.HadoopConf(conf);
        JavaRDD<SourceRow> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(ranges, ranges.size())
                .mapPartitions(it -> {
                    long[] range = it.next();
                    RangeReader reader = new RangeReader(shipped.get(), origin, images, labelHeader, range[0],
                            range[1]);
                    TaskContext task = TaskContext.get();
                    if (task != null) {
                        task.addTaskCompletionListener((TaskCompletionListener) context -> reader.close());
                    }
                    return reader;
                }, true);
        return new SourceData(rows, origin, width, List.of(), List.of(), true);
    }

    static Header header(Configuration conf, String path, String key) {
        try (DataInputStream in = open(conf, path)) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DataException(key + ": file is empty: " + path);
            }
            int type = (magic >>> 8) & 0xFF;
            int ndims = magic & 0xFF;
            if ((magic >>> 16) != 0 || elementBytes(type) == 0 || ndims == 0) {
                throw new DataException(key + ": " + path + " is not an IDX file: magic number 0x"
                        + String.format("%08x", magic) + " (expected 0x000008xx..0x00000exx)");
            }
            int[] dims = new int[ndims];
            for (int i = 0; i < ndims; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new DataException(key + ": " + path + " has a negative size in its header: " + dims[i]);
                }
            }
            return new Header(type, dims, 4 + 4 * ndims);
        } catch (EOFException e) {
            throw new DataException(key + ": " + path + " is truncated inside its IDX header");
        } catch (IOException e) {
            throw new DataException(key + ": cannot read " + path + ": " + DataFiles.firstLine(e.getMessage()), e);
        }
    }

    private static int elementBytes(int type) {
        return switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> 0;
        };
    }

    static DataInputStream open(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        InputStream raw = fs.open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        if (codec != null) {
            raw = codec.createInputStream(raw);
        }
        return new DataInputStream(new BufferedInputStream(raw, 1 << 16));
    }

    private static double readValue(DataInputStream in, int type) throws IOException {
        return switch (type) {
            case 0x08 -> in.readUnsignedByte();
            case 0x09 -> in.readByte();
            case 0x0B -> in.readShort();
            case 0x0C -> in.readInt();
            case 0x0D -> in.readFloat();
            case 0x0E -> in.readDouble();
            default -> throw new IllegalStateException("IDX type " + type);
        };
    }

    /** Streams the items {@code [start, end)} of an images/labels pair as rows. */
    private static final class RangeReader implements Iterator<SourceRow> {
        private final DataInputStream images;
        private final DataInputStream labels;
        private final RowOrigin origin;
        private final Header imageHeader;
        private final Header labelHeader;
        private final byte[] pixels;
        private long next;
        private final long end;

        RangeReader(Configuration conf, RowOrigin origin, Header imageHeader, Header labelHeader, long start,
                    long end) throws IOException {
            this.origin = origin;
            this.imageHeader = imageHeader;
            this.labelHeader = labelHeader;
            this.next = start;
            this.end = end;
            int width = imageHeader.itemWidth();
            this.pixels = imageHeader.type() == 0x08 ? new byte[width] : null;
            this.images = open(conf, origin.path());
            this.labels = open(conf, origin.labelPath());
            skip(images, imageHeader.headerBytes() + start * width * elementBytes(imageHeader.type()),
                    origin.path());
            skip(labels, labelHeader.headerBytes() + start * elementBytes(labelHeader.type()), origin.labelPath());
        }

        private void skip(DataInputStream in, long bytes, String path) throws IOException {
            long left = bytes;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw truncated(path);
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        private DataException truncated(String path) {
            boolean imageFile = path.equals(origin.path());
            Header header = imageFile ? imageHeader : labelHeader;
            return new DataException(path + " is truncated: its header promises " + header.items() + " "
                    + (imageFile ? "images of " + header.shape() : "labels") + ", the data ends before item "
                    + (next + 1));
        }

        @Override
        public boolean hasNext() {
            if (next < end) {
                return true;
            }
            close();
            return false;
        }

        void close() {
            try {
                images.close();
                labels.close();
            } catch (IOException e) {
                throw new DataException("cannot close " + origin.path() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public SourceRow next() {
            if (next >= end) {
                throw new NoSuchElementException();
            }
            long index = next;
            float[] features = new float[imageHeader.itemWidth()];
            String current = origin.path();
            try {
                if (pixels != null) {
                    images.readFully(pixels);
                    for (int j = 0; j < pixels.length; j++) {
                        features[j] = pixels[j] & 0xFF;
                    }
                } else {
                    for (int j = 0; j < features.length; j++) {
                        features[j] = Cells.checkFinite(readValue(images, imageHeader.type()), origin, index,
                                "pixel " + j);
                    }
                }
                current = origin.labelPath();
                double label = readValue(labels, labelHeader.type());
                if (!Double.isFinite(label)) {
                    throw new DataException(origin.labelAt(index) + ": NaN/Infinity not allowed: " + label);
                }
                next++;
                return new SourceRow(index, features, null, label);
            } catch (EOFException e) {
                throw truncated(current);
            } catch (IOException e) {
                throw new DataException("cannot read " + current + ": " + e.getMessage(), e);
            }
        }
    }
}
