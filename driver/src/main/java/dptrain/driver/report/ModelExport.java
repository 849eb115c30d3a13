package dptrain.driver.report;

import dptrain.driver.BadInputException;
import dptrain.worker.step.Network;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

/**
 * {@code output.dir/model.zip}: exactly what DL4J's {@code ModelSerializer} writes (so plain DL4J
 * loads it with {@code restoreMultiLayerNetwork} or {@code restoreComputationGraph}), plus one
 * entry, {@code dptrain.json}, the {@link ModelCard}: what scoring needs beyond the weights (label
 * names, feature columns, normalisation) and the provenance (spec, seed, data, version). DL4J
 * ignores entries it does not know.
 */
public final class ModelExport {

    public static final String FILE = "model.zip";
    public static final String METADATA_ENTRY = "dptrain.json";

    /** A {@code model.zip} read back: the network and its card. */
    public record Loaded(Network network, ModelCard card) {
    }

    private ModelExport() {
    }

    /**
     * Reads a {@code model.zip} from any Hadoop path; a missing, unreadable or foreign file is a
     * one-line {@link BadInputException} naming it.
     *
     * @param withUpdater whether to restore the updater state too (needed to train on, not to score)
     */
    public static Loaded read(String file, Configuration hadoop, boolean withUpdater) {
        byte[] bytes;
        try {
            Path path = new Path(file);
            FileSystem fs = path.getFileSystem(hadoop);
            try (InputStream in = fs.open(path)) {
                bytes = in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            throw new BadInputException("model not found: " + file);
        } catch (IOException e) {
            throw new BadInputException("cannot read the model " + file + ": " + e.getMessage(), e);
        }
        ModelCard card = null;
        String configuration = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(METADATA_ENTRY)) {
                    card = card(file, new String(zip.readAllBytes(), StandardCharsets.UTF_8));
                } else if (entry.getName().equals("configuration.json")) {
                    configuration = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new BadInputException(file + " is not a model.zip: " + e.getMessage(), e);
        }
        if (card == null || configuration == null) {
            throw new BadInputException(file + " is not a dptrain model.zip: it has no "
                    + (card == null ? METADATA_ENTRY : "configuration.json") + " entry");
        }
        try {
            return new Loaded(Network.of(Network.isGraph(configuration)
                    ? ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), withUpdater)
                    : ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), withUpdater)),
                    card);
        } catch (IOException e) {
            throw new BadInputException("cannot read the network in " + file + ": " + e.getMessage(), e);
        }
    }

    private static ModelCard card(String file, String json) {
        try {
            return ModelCard.fromJson(json);
        } catch (IOException e) {
            throw new BadInputException(file + " is not a model.zip: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + " is not a dptrain model.zip: its " + METADATA_ENTRY + ", "
                    + e.getMessage(), e);
        }
    }

    /** Writes {@code output/model.zip} atomically: DL4J's entries, then the card. */
    public static void write(OutputDirectory output, Model net, ModelCard card) {
        byte[] dl4j;
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, buffer, true);
            dl4j = buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the model: " + e.getMessage(), e);
        }
        byte[] cardJson = card.toJson().getBytes(StandardCharsets.UTF_8);
        output.write(FILE, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(dl4j))) {
                for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(entry.getName()));
                    entries.transferTo(zip);
                    zip.closeEntry();
                }
            }
            zip.putNextEntry(new ZipEntry(METADATA_ENTRY));
            zip.write(cardJson);
            zip.closeEntry();
            zip.finish();
        });
    }
}
