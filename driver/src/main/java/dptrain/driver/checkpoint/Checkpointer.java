package dptrain.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.worker.step.NetworkState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints on any Hadoop FileSystem, one file per completed epoch
 * ({@code checkpoint-000003.dpt}).
 *
 * <p>Atomic: a checkpoint is written to a hidden temporary file and renamed into place, so a
 * crash while writing leaves the previous checkpoints as they were. Verified: the file ends with
 * the SHA-256 of everything before it; a corrupt or truncated newest checkpoint is reported with
 * the name of the next older valid one instead of being used or silently skipped.
 *
 * <p>Layout: magic {@code DPTCKPT1}, a length-prefixed UTF-8 JSON header (counters, seed,
 * configuration, spec, provenance), the parameters and the updater state as big-endian float32,
 * then the 32-byte digest. Nothing is Java-deserialized.
 *
 * <p>Early stopping keeps the best epoch's state beside them in the same format,
 * {@code best.dpt}, which pruning never touches.
 */
public final class Checkpointer {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final byte[] MAGIC = "DPTCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{6})\\.dpt");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER_BYTES = 64 << 20;
    /** Early stopping's best state. */
    public static final String BEST_FILE = "best.dpt";

    private final Path dir;
    private final FileSystem fs;
    private final int keep;

    public Checkpointer(String dir, int keep, Configuration hadoop) {
        this.dir = new Path(dir);
        this.keep = keep;
        try {
            this.fs = this.dir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new BadInputException("checkpoint.dir: cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    public String location() {
        return fs.makeQualified(dir).toString();
    }

    /** Writes the checkpoint of {@code checkpoint.state().epoch()} atomically, then prunes old ones. */
    public void write(Checkpoint checkpoint) {
        writeAtomically(checkpoint, String.format("checkpoint-%06d.dpt", checkpoint.state().epoch()));
        prune();
    }

    /** Writes {@code best.dpt} atomically: early stopping's best state so far. */
    public void writeBest(Checkpoint best) {
        writeAtomically(best, BEST_FILE);
    }

    /**
     * {@code best.dpt}, or empty when there is none.
     *
     * @throws BadInputException when it is corrupt
     */
    public Optional<Checkpoint> best() {
        Path file = new Path(dir, BEST_FILE);
        try {
            if (!fs.exists(file)) {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(read(file));
        } catch (CorruptCheckpointException e) {
            throw new BadInputException("checkpoint " + fs.makeQualified(file) + " is corrupt (" + e.getMessage()
                    + "); delete it to resume without the best state so far");
        }
    }

    private void writeAtomically(Checkpoint checkpoint, String name) {
        Path target = new Path(dir, name);
        Path temporary = new Path(dir, "." + target.getName() + ".tmp");
        try {
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(temporary, true)) {
                encode(checkpoint, out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("rename " + temporary + " -> " + target + " failed");
            }
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
        LOG.info("checkpoint written: {}", fs.makeQualified(target));
    }

    /**
     * The newest checkpoint, or empty when there is none.
     *
     * @throws BadInputException when the newest one is corrupt (naming the next older valid one)
     */
    public Optional<Checkpoint> latest() {
        List<Path> files = list();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path newest = files.get(files.size() - 1);
        try {
            return Optional.of(read(newest));
        } catch (CorruptCheckpointException e) {
            String older = "no older valid checkpoint exists";
            for (int i = files.size() - 2; i >= 0; i--) {
                try {
                    read(files.get(i));
                    older = "the next older valid one is " + files.get(i).getName()
                            + "; delete the corrupt file to resume from it";
                    break;
                } catch (CorruptCheckpointException ignored) {
                    // keep looking further back
                }
            }
            throw new BadInputException("checkpoint " + fs.makeQualified(newest) + " is corrupt (" + e.getMessage()
                    + "); " + older);
        }
    }

    /** Checkpoint files, oldest first. */
    List<Path> list() {
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<Path> files = new ArrayList<>();
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isFile() && NAME.matcher(status.getPath().getName()).matches()) {
                    files.add(status.getPath());
                }
            }
            files.sort(Comparator.comparing(Path::getName));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    Checkpoint read(Path file) {
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
            bytes = in.readAllBytes();
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            // Hadoop's own .crc beside the file caught the damage before our SHA-256 could.
            throw new CorruptCheckpointException("checksum mismatch");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes);
    }

    private void prune() {
        List<Path> files = list();
        for (int i = 0; i < files.size() - keep; i++) {
            deleteQuietly(files.get(i));
        }
    }

    private void deleteQuietly(Path path) {
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", path, e.getMessage());
        }
    }

    static void encode(Checkpoint checkpoint, OutputStream target) throws IOException {
        MessageDigest digest = sha256();
        DataOutputStream out = new DataOutputStream(new DigestOutputStream(target, digest));
        NetworkState state = checkpoint.state();
        ObjectNode header = JSON.createObjectNode()
                .put("format", 1)
                .put("epoch", state.epoch())
                .put("iteration", state.iteration())
                .put("params", state.params().length)
                .put("updater_state", state.updaterState().length)
                .put("seed", checkpoint.seed())
                .put("created_at", checkpoint.createdAt())
                .put("version", checkpoint.version())
                .put("configuration", checkpoint.configurationJson())
                .put("spec", checkpoint.specJson())
                .put("learning_rate_scale", checkpoint.learningRateScale());
        ObjectNode metrics = header.putObject("metrics");
        checkpoint.metrics().forEach((key, value) -> {
            if (Double.isFinite(value)) {
                metrics.put(key, value);
            }
        });
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        out.write(MAGIC);
        out.writeInt(headerBytes.length);
        out.write(headerBytes);
        writeFloats(out, state.params());
        writeFloats(out, state.updaterState());
        out.flush();
        target.write(digest.digest());
        target.flush();
    }

    static Checkpoint decode(byte[] bytes) {
        if (bytes.length < MAGIC.length + 4 + 32) {
            throw new CorruptCheckpointException("truncated: " + bytes.length + " bytes");
        }
        int body = bytes.length - 32;
        MessageDigest digest = sha256();
        digest.update(bytes, 0, body);
        if (!MessageDigest.isEqual(digest.digest(), Arrays.copyOfRange(bytes, body, bytes.length))) {
            throw new CorruptCheckpointException("checksum mismatch");
        }
        if (!Arrays.equals(MAGIC, Arrays.copyOf(bytes, MAGIC.length))) {
            throw new CorruptCheckpointException("not a dptrain checkpoint");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, body))) {
            in.skipNBytes(MAGIC.length);
            int headerLength = in.readInt();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw new CorruptCheckpointException("bad header length " + headerLength);
            }
            JsonNode header = JSON.readTree(in.readNBytes(headerLength));
            float[] params = readFloats(in, header.get("params").asInt());
            float[] updater = readFloats(in, header.get("updater_state").asInt());
            NetworkState state = new NetworkState(params, updater, header.get("iteration").asInt(),
                    header.get("epoch").asInt());
            // learning_rate_scale and metrics are newer than the format: absent means 1 and none.
            Map<String, Double> metrics = new LinkedHashMap<>();
            header.path("metrics").fields().forEachRemaining(entry -> metrics.put(entry.getKey(),
                    entry.getValue().asDouble()));
            return new Checkpoint(state, header.get("configuration").asText(), header.get("spec").asText(),
                    header.get("seed").asLong(), header.get("created_at").asText(), header.get("version").asText(),
                    header.path("learning_rate_scale").asDouble(1.0), metrics);
        } catch (IOException | NullPointerException e) {
            throw new CorruptCheckpointException("unreadable: " + e.getMessage());
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(values.length * 4);
        buffer.asFloatBuffer().put(values);
        out.write(buffer.array());
    }

    private static float[] readFloats(DataInputStream in, int count) throws IOException {
        byte[] raw = in.readNBytes(count * 4);
        if (raw.length != count * 4) {
            throw new IOException("expected " + count + " floats");
        }
        float[] values = new float[count];
        java.nio.ByteBuffer.wrap(raw).asFloatBuffer().get(values);
        return values;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A checkpoint file that fails its checksum or cannot be parsed. */
    static final class CorruptCheckpointException extends RuntimeException {
        CorruptCheckpointException(String message) {
            super(message);
        }
    }

}
