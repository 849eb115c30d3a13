package dptrain.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How a system's JVM hands its numbers to {@link BenchMain}: one JSON object in a file. */
final class ResultFile {

    static final ObjectMapper JSON = new ObjectMapper();

    private ResultFile() {
    }

    static ObjectNode create() {
        return JSON.createObjectNode();
    }

    static void write(String path, ObjectNode result) {
        try {
            Files.writeString(Path.of(path), result.toPrettyString() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    static ObjectNode read(Path path) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** The value following {@code --name} in {@code args}, or {@code fallback}. */
    static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--" + name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
