package dptrain.driver.report;

import dptrain.driver.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code output.dir} on any Hadoop FileSystem. Every file is replaced atomically (written to a
 * hidden temporary file, then renamed), so readers never see half a file and a failed write
 * leaves the previous version.
 */
public final class OutputDirectory {

    private final Path dir;
    private final FileSystem fs;

    public OutputDirectory(String dir, Configuration hadoop) {
        this.dir = new Path(dir);
        try {
            this.fs = this.dir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new BadInputException("output.dir: cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails with a one-line error unless the directory can be created and written to. Leaves no
     * trace: directories it had to create for the check are removed again, so input found bad after
     * it still leaves nothing behind; the first file written creates them for good.
     */
    public void checkWritable() {
        Path probe = new Path(dir, ".dptrain-write-check");
        try {
            Path created = topmostMissing();
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(probe, true)) {
                out.write(1);
            }
            fs.delete(probe, false);
            if (created != null) {
                fs.delete(created, true);
            }
        } catch (IOException e) {
            throw new BadInputException("output.dir: cannot write to " + fs.makeQualified(dir) + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /** The outermost directory on the way to {@code dir} that does not exist yet, or null. */
    private Path topmostMissing() throws IOException {
        Path missing = null;
        for (Path path = fs.makeQualified(dir); path != null && !fs.exists(path); path = path.getParent()) {
            missing = path;
        }
        return missing;
    }

    public String location(String name) {
        return fs.makeQualified(new Path(dir, name)).toString();
    }

    public void write(String name, byte[] content) {
        write(name, out -> out.write(content));
    }

    public void writeText(String name, String content) {
        write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes through {@code body} into a temporary file, then renames it to {@code name}. */
    public void write(String name, Body body) {
        Path target = new Path(dir, name);
        Path temporary = new Path(dir, "." + name + ".tmp");
        try {
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(temporary, true)) {
                body.writeTo(out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("rename to " + target + " failed");
            }
        } catch (IOException e) {
            try {
                fs.delete(temporary, false);
            } catch (IOException ignored) {
                // the write already failed; that error is the one to report
            }
            throw new UncheckedIOException("cannot write " + location(name) + ": " + e.getMessage(), e);
        }
    }

    public Optional<String> readText(String name) {
        return read(name).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The file's bytes, or empty when it does not exist. */
    public Optional<byte[]> read(String name) {
        Path file = new Path(dir, name);
        try {
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(file)) {
                return Optional.of(in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location(name) + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** Content written to an output stream. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }
}
