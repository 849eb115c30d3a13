package dptrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test accuracy after every epoch of a dptrain run, from its checkpoints (the run keeps one per
 * epoch: {@code checkpoint.keep=E}). The checkpoint layout is the one {@code Checkpointer}
 * documents: magic {@code DPTCKPT1}, an int-length-prefixed JSON header (with the DL4J
 * configuration), the parameters as big-endian float32, the updater state, a SHA-256 trailer.
 * Read by layout rather than through the driver's classes so the harness stays independent of
 * dptrain's modules; the network is rebuilt with plain DL4J, as any user of the model would.
 *
 * <p>{@code --checkpoints DIR --data DIR --result FILE}
 */
public final class CheckpointEvaluation {

    private static final byte[] MAGIC = "DPTCKPT1".getBytes(StandardCharsets.US_ASCII);

    private CheckpointEvaluation() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(ResultFile.option(args, "checkpoints", "checkpoints"));
        Path data = Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString()));
        FashionMnist test = FashionMnist.test(data);
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(p -> p.getFileName().toString().matches("checkpoint-\\d{6}\\.dpt")).sorted()
                    .toList();
        }
        ObjectNode result = ResultFile.create();
        ArrayNode epochs = result.putArray("epochs");
        ArrayNode accuracy = result.putArray("test_accuracy");
        for (Path file : files) {
            MultiLayerNetwork net = read(file, epochs);
            accuracy.add(Mlp.accuracy(net, test));
        }
        ResultFile.write(ResultFile.option(args, "result", "checkpoints.json"), result);
    }

    private static MultiLayerNetwork read(Path file, ArrayNode epochs) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            if (!Arrays.equals(MAGIC, in.readNBytes(MAGIC.length))) {
                throw new IllegalArgumentException("not a dptrain checkpoint: " + file);
            }
            byte[] headerBytes = in.readNBytes(in.readInt());
            JsonNode header = ResultFile.JSON.readTree(headerBytes);
            epochs.add(header.get("epoch").asInt());
            int count = header.get("params").asInt();
            float[] params = new float[count];
            ByteBuffer.wrap(in.readNBytes(count * 4)).asFloatBuffer().get(params);
            MultiLayerNetwork net = new MultiLayerNetwork(
                    MultiLayerConfiguration.fromJson(header.get("configuration").asText()));
            net.init(Nd4j.create(params, new long[] {1, count}, 'c'), false);
            return net;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
