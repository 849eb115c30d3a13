package dptrain.driver.report;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

/**
 * {@code output.dir/model.zip}: exactly what DL4J's {@code ModelSerializer} writes (so plain
 * DL4J loads it with {@code restoreMultiLayerNetwork} or {@code restoreComputationGraph}), plus one entry, {@code dptrain.json},
 * carrying what scoring needs beyond the weights: label names, feature columns, normalisation,
 * and the provenance (spec, seed, data, version). DL4J ignores entries it does not know.
 */
public final class ModelExport {

    public static final String FILE = "model.zip";
    public static final String METADATA_ENTRY = "dptrain.json";

    private ModelExport() {
    }

    public static void write(OutputDirectory output, Model net, String metadataJson) {
        byte[] dl4j;
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, buffer, true);
            dl4j = buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the model: " + e.getMessage(), e);
        }
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
            zip.write(metadataJson.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.finish();
        });
    }
}
