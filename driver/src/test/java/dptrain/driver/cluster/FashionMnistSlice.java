package dptrain.driver.cluster;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The first rows of Fashion-MNIST (Debian's dataset-fashion-mnist, as in FashionMnistTest) as CSV
 * files with a {@code label} column and 784 pixel columns: real data, small enough that a job on
 * a two-worker test cluster takes seconds per epoch.
 */
final class FashionMnistSlice {

    static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnistSlice() {
    }

    record CsvFiles(Path train, Path test) {
    }

    static CsvFiles write(Path dir, int trainRows, int testRows) throws IOException {
        Files.createDirectories(dir);
        Path train = dir.resolve("fashion-train.csv");
        Path test = dir.resolve("fashion-test.csv");
        csv(DATA.resolve("train-images-idx3-ubyte.gz"), DATA.resolve("train-labels-idx1-ubyte.gz"), trainRows, train);
        csv(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"), testRows, test);
        return new CsvFiles(train, test);
    }

    private static void csv(Path images, Path labels, int rows, Path target) throws IOException {
        if (!Files.isRegularFile(images)) {
            throw new IllegalStateException(images + " is missing: install the dataset-fashion-mnist package"
                    + " (./dptrain test does)");
        }
        try (DataInputStream pixels = open(images, 0x803); DataInputStream classes = open(labels, 0x801);
             Writer out = Files.newBufferedWriter(target)) {
            int height = pixels.readInt();
            int width = pixels.readInt();
            StringBuilder line = new StringBuilder("label");
            for (int i = 0; i < height * width; i++) {
                line.append(",p").append(i);
            }
            out.write(line.append('\n').toString());
            byte[] image = new byte[height * width];
            for (int row = 0; row < rows; row++) {
                pixels.readFully(image);
                line.setLength(0);
                line.append(classes.readUnsignedByte());
                for (byte value : image) {
                    line.append(',').append(value & 0xff);
                }
                out.write(line.append('\n').toString());
            }
        }
    }

    /** Opens an IDX file, checks its magic number and skips the item count. */
    private static DataInputStream open(Path file, int magic) throws IOException {
        InputStream raw = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)));
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
        int found = in.readInt();
        if (found != magic) {
            in.close();
            throw new IOException(file + ": IDX magic " + Integer.toHexString(found) + ", expected "
                    + Integer.toHexString(magic));
        }
        in.readInt();
        return in;
    }
}
