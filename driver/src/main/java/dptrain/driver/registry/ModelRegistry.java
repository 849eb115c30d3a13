package dptrain.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BadInputException;
import dptrain.driver.report.OutputDirectory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model registry directory on any Hadoop FileSystem:
 *
 * <pre>
 * models/
 *   v0001/  model.zip  summary.json  metrics.json  meta.json  metrics.jsonl  report.html
 *   v0002/  ...
 *   current            one line: the version that serves, e.g. v0002
 * </pre>
 *
 * <p>A version directory counts once its {@code meta.json} exists; it is written last, so a run that
 * dies half-way leaves a directory that listings skip and version numbering steps over.
 *
 * <p>The {@code current} pointer is replaced atomically: written to a hidden temporary file, then
 * renamed over the old pointer (HDFS: {@code rename} with {@code OVERWRITE}, one NameNode operation;
 * local and POSIX-like filesystems: {@code rename(2)} replaces the target). Where a filesystem refuses
 * to rename over an existing file, the old pointer is first renamed to {@code current.previous} and
 * the new one then renamed to {@code current}; readers fall back to {@code current.previous} when
 * {@code current} is missing, so between the two renames they still read the old, valid version.
 * One writer at a time per registry (a scheduler runs one retrain at a time).
 */
public final class ModelRegistry {

    public static final String CURRENT = "current";
    static final String PREVIOUS_POINTER = "current.previous";
    public static final String META = "meta.json";
    public static final String METRICS = "metrics.json";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION = Pattern.compile("v(\\d{4,9})");

    private final Path dir;
    private final FileSystem fs;
    private final Configuration hadoop;

    private ModelRegistry(Path dir, FileSystem fs, Configuration hadoop) {
        this.dir = dir;
        this.fs = fs;
        this.hadoop = hadoop;
    }

    /**
     * A registry to add versions to: an existing registry, or a directory that is missing or empty.
     *
     * @param key what messages call the location, e.g. {@code registry.dir}
     * @throws BadInputException if the location is a file or a directory with other content
     */
    public static ModelRegistry forWriting(String location, Configuration hadoop, String key) {
        ModelRegistry registry = at(location, hadoop, key);
        registry.checkIsRegistry(key, false);
        return registry;
    }

    /**
     * An existing registry, for {@code dptrain models}.
     *
     * @throws BadInputException if there is nothing at the location or it is not a registry
     */
    public static ModelRegistry existing(String location, Configuration hadoop, String key) {
        ModelRegistry registry = at(location, hadoop, key);
        registry.checkIsRegistry(key, true);
        return registry;
    }

    private static ModelRegistry at(String location, Configuration hadoop, String key) {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(hadoop);
            return new ModelRegistry(fs.makeQualified(path), fs, hadoop);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException(key + ": cannot open " + location + ": " + firstLine(e.getMessage()), e);
        }
    }

    private void checkIsRegistry(String key, boolean mustExist) {
        try {
            if (!fs.exists(dir)) {
                if (mustExist) {
                    throw new BadInputException(key + ": no model registry at " + dir + " (not found)");
                }
                return;
            }
            if (!fs.getFileStatus(dir).isDirectory()) {
                throw new BadInputException(key + ": " + dir + " is a file, not a model registry");
            }
            List<String> others = new ArrayList<>();
            boolean registryEntries = false;
            for (FileStatus child : fs.listStatus(dir)) {
                String name = child.getPath().getName();
                if (name.equals(CURRENT) || name.equals(PREVIOUS_POINTER)
                        || (child.isDirectory() && VERSION.matcher(name).matches())) {
                    registryEntries = true;
                } else if (!name.startsWith(".")) {
                    others.add(name);
                }
            }
            if (!registryEntries && !others.isEmpty()) {
                throw new BadInputException(key + ": " + dir + " is not a model registry (it holds '"
                        + others.get(0) + "'" + (others.size() > 1 ? " and " + (others.size() - 1) + " more" : "")
                        + "; a registry holds v0001/, v0002/, ... and current)");
            }
        } catch (IOException e) {
            throw new BadInputException(key + ": cannot read " + dir + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** The qualified location, e.g. {@code hdfs://nn:8020/models}. */
    public String location() {
        return dir.toString();
    }

    /** The qualified location of a version's directory. */
    public String location(String version) {
        return new Path(dir, version).toString();
    }

    /** A version's directory, for writing its files. */
    public OutputDirectory directory(String version) {
        return new OutputDirectory(location(version), hadoop);
    }

    /** Every complete version (one with {@code meta.json}), oldest first. */
    public List<RegistryVersion> versions() {
        List<RegistryVersion> versions = new ArrayList<>();
        for (String name : versionDirectories()) {
            readMeta(name).ifPresent(meta -> versions.add(new RegistryVersion(name, number(name), meta)));
        }
        versions.sort(Comparator.comparingInt(RegistryVersion::number));
        return versions;
    }

    /** The name the next version gets: one above every version directory, complete or not. */
    public String nextVersion() {
        int highest = versionDirectories().stream().mapToInt(ModelRegistry::number).max().orElse(0);
        return String.format("v%04d", highest + 1);
    }

    /** The version {@code current} points to, or empty for a registry without a promoted version yet. */
    public Optional<String> current() {
        Optional<String> pointer = readPointer(CURRENT);
        return pointer.isPresent() ? pointer : readPointer(PREVIOUS_POINTER);
    }

    /**
     * The complete version {@code name}.
     *
     * @param key what messages call the argument, e.g. {@code models promote}
     * @throws BadInputException naming the known versions if there is no such version
     */
    public RegistryVersion version(String name, String key) {
        List<RegistryVersion> versions = versions();
        for (RegistryVersion version : versions) {
            if (version.name().equals(name)) {
                return version;
            }
        }
        if (versions.isEmpty()) {
            throw empty(key);
        }
        throw new BadInputException(key + ": unknown version '" + name + "' in " + dir + "; versions: "
                + String.join(", ", versions.stream().map(RegistryVersion::name).toList()));
    }

    /** Writes a version's {@code meta.json} (atomically); after it the version counts. */
    public void writeMeta(String version, ObjectNode meta) {
        directory(version).writeText(META, meta.toPrettyString() + "\n");
    }

    /**
     * Makes {@code name} current. A version that was rejected when it was trained is marked
     * promoted (by hand, with the time) in its {@code meta.json}.
     *
     * @return the version that was current before, or empty
     */
    public Optional<String> promote(String name, String key) {
        RegistryVersion version = version(name, key);
        Optional<String> before = current();
        if (!version.promoted()) {
            ObjectNode meta = ((ObjectNode) version.meta().deepCopy())
                    .put("status", RegistryVersion.PROMOTED)
                    .put("reason", "promoted by hand at " + Instant.now() + "; when trained: "
                            + version.meta().path("reason").asText(""));
            writeMeta(name, meta);
        }
        point(name);
        return before;
    }

    /**
     * Makes the newest promoted version below the current one current again.
     *
     * @return the pair (the version current before, the version current now)
     * @throws BadInputException if the registry is empty or there is no earlier promoted version
     */
    public String[] rollback(String key) {
        List<RegistryVersion> versions = versions();
        if (versions.isEmpty()) {
            throw empty(key);
        }
        String current = current().orElseThrow(() -> new BadInputException(key + ": " + dir
                + " has no current version to roll back from"));
        int currentNumber = number(current);
        RegistryVersion target = null;
        for (RegistryVersion version : versions) {
            if (version.number() < currentNumber && version.promoted()) {
                target = version;
            }
        }
        if (target == null) {
            throw new BadInputException(key + ": no promoted version before " + current + " in " + dir
                    + " to roll back to");
        }
        point(target.name());
        return new String[] {current, target.name()};
    }

    /** Deletes a version directory that a failed run left incomplete (never one with {@code meta.json}). */
    public void discardIncomplete(String version) {
        Path path = new Path(dir, version);
        try {
            if (fs.exists(path) && !fs.exists(new Path(path, META))) {
                fs.delete(path, true);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete the incomplete version {}: {}", path, e.getMessage());
        }
    }

    /** Switches {@code current} to {@code version}, atomically (see the class comment). */
    public void point(String version) {
        Path target = new Path(dir, CURRENT);
        Path temporary = new Path(dir, "." + CURRENT + "." + UUID.randomUUID() + ".tmp");
        try {
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(temporary, false)) {
                out.write((version + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if ("hdfs".equals(dir.toUri().getScheme())) {
                FileContext.getFileContext(dir.toUri(), hadoop).rename(temporary, target, Options.Rename.OVERWRITE);
            } else if (!renameOver(temporary, target)) {
                replaceInTwoSteps(temporary, target);
            }
            LOG.info("registry {}: current -> {}", dir, version);
        } catch (IOException e) {
            try {
                fs.delete(temporary, false);
            } catch (IOException ignored) {
                // the switch already failed; that error is the one to report
            }
            throw new UncheckedIOException("cannot switch " + target + " to " + version + ": " + e.getMessage(), e);
        }
    }

    /** {@code rename(temporary, target)}; false where the filesystem will not replace an existing file. */
    private boolean renameOver(Path temporary, Path target) {
        try {
            return fs.rename(temporary, target);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * For filesystems that refuse to rename over a file: {@code current} becomes
     * {@code current.previous}, then the new pointer becomes {@code current}. A reader that finds
     * no {@code current} in between reads {@code current.previous}, the old version.
     */
    void replaceInTwoSteps(Path temporary, Path target) throws IOException {
        Path previous = new Path(dir, PREVIOUS_POINTER);
        if (fs.exists(target)) {
            fs.delete(previous, false);
            if (!fs.rename(target, previous)) {
                throw new IOException("rename of " + target + " to " + previous + " failed");
            }
        }
        if (!fs.rename(temporary, target)) {
            throw new IOException("rename of " + temporary + " to " + target + " failed");
        }
    }

    private Optional<String> readPointer(String name) {
        Path pointer = new Path(dir, name);
        String text;
        try (InputStream in = fs.open(pointer)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
        if (!VERSION.matcher(text).matches()) {
            throw new BadInputException(pointer + ": expected a version such as v0001, got '" + text + "'");
        }
        return Optional.of(text);
    }

    private List<String> versionDirectories() {
        List<String> names = new ArrayList<>();
        try {
            if (!fs.exists(dir)) {
                return names;
            }
            for (FileStatus child : fs.listStatus(dir)) {
                if (child.isDirectory() && VERSION.matcher(child.getPath().getName()).matches()) {
                    names.add(child.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return names;
    }

    private Optional<JsonNode> readMeta(String version) {
        Path file = new Path(new Path(dir, version), META);
        try (InputStream in = fs.open(file)) {
            return Optional.of(JSON.readTree(in));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private BadInputException empty(String key) {
        return new BadInputException(key + ": the registry " + dir + " has no versions yet; dptrain retrain adds them");
    }

    static int number(String version) {
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a version name: " + version);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
