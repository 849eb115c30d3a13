package dptrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BuildVersion;
import dptrain.driver.config.Task;
import dptrain.driver.report.ModelCard;
import dptrain.worker.step.NetworkState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A saved Spark ML model writes the card it wrote before ModelCard: the fixtures are what the
 * hand-built writer of ModelArchive produced from these very networks (version and time vary).
 */
class ModelArchiveCardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClassifierWritesTheCardItWroteBefore() throws IOException {
        TrainedNetwork network = new TrainedNetwork("{}", new NetworkState(new float[0], new float[0], 40, 4),
                Task.CLASSIFICATION, 3, List.of("0.0", "1.0"), new double[] {0.6931471805599453, 0.5, 0.31, 1.0E-7});

        ModelCard card = ModelArchive.card(network, "features", 42L);

        assertEquals(expected("ml-card", card), card.toJson());
    }

    @Test
    void aRegressorWritesTheCardItWroteBefore() throws IOException {
        TrainedNetwork network = new TrainedNetwork("{}", new NetworkState(new float[0], new float[0], 10, 2),
                Task.REGRESSION, 2, List.of(), new double[] {2.5, 1.25});

        ModelCard card = ModelArchive.card(network, "vec", 7L);

        assertEquals(expected("ml-regression-card", card), card.toJson());
    }

    private static String expected(String fixture, ModelCard card) throws IOException {
        assertEquals(BuildVersion.current(), card.version());
        ObjectNode expected;
        try (InputStream in = ModelArchiveCardTest.class.getResourceAsStream("/dptrain/driver/report/model-"
                + fixture + ".json")) {
            expected = (ObjectNode) JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return expected.put("version", card.version()).put("created_at", card.createdAt().toString()).toString();
    }
}
