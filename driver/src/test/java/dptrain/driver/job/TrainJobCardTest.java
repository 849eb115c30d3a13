package dptrain.driver.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dptrain.driver.BuildVersion;
import dptrain.driver.config.JobSpec;
import dptrain.driver.config.SpecJson;
import dptrain.driver.config.Task;
import dptrain.driver.data.FeatureScaling;
import dptrain.driver.data.PreparedData;
import dptrain.driver.report.ModelCard;
import dptrain.worker.step.NetworkState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job writes the card it wrote before ModelCard: the fixtures are what the hand-built writer of
 * TrainJob produced from these very inputs. The build version and the time vary by nature; the
 * spec is SpecJson's canonical form, whose layout is SpecJson's business, so it comes from SpecJson.
 */
class TrainJobCardTest {

    private static final JobSpec SPEC = JobFixtures.spec(JobFixtures.classificationSpec(Path.of("/data/train.csv"),
            Path.of("/data/test.csv"), Path.of("/runs/r1")));
    private static final PreparedData DATA = new PreparedData(null, null, null, 800, 200, 100, 5,
            List.of("0", "1", "2"), new FeatureScaling(new float[] {0.1f, -2.5f, 3.3333333f, 1.0E-5f, 0f},
            new float[] {1.7320508f, 0.25f, 12345.678f, 1f, 2.0E7f}), List.of("f0", "f1", "f2", "f3", "f4"), null);
    private static final NetworkState END = new NetworkState(new float[0], new float[0], 75, 3);

    @Test
    void aJobWritesTheCardItWroteBefore() throws IOException {
        ModelCard card = TrainJob.card(SPEC, SpecJson.toJson(SPEC), DATA, Task.CLASSIFICATION, END, null);

        assertEquals(expected("job-card", card), card.toJson());
    }

    @Test
    void aRetrainAddsTheVersionItStartedFrom() throws IOException {
        WarmStart warm = new WarmStart("v0001", null, null, List.of(), List.of(), state -> {
        });

        ModelCard card = TrainJob.card(SPEC, SpecJson.toJson(SPEC), DATA, Task.CLASSIFICATION, END, warm);

        assertEquals(expected("job-card-warm", card), card.toJson());
    }

    /** The fixture with this build's version, the card's time and today's canonical spec put in. */
    private static String expected(String fixture, ModelCard card) throws IOException {
        assertEquals(BuildVersion.current(), card.version());
        assertEquals(true, Instant.now().compareTo(card.createdAt()) >= 0);
        ObjectNode expected;
        try (InputStream in = TrainJobCardTest.class.getResourceAsStream("/dptrain/driver/report/model-" + fixture
                + ".json")) {
            expected = (ObjectNode) JobFixtures.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        expected.put("version", card.version()).put("created_at", card.createdAt().toString());
        expected.set("spec", JobFixtures.JSON.readTree(SpecJson.toJson(SPEC)));
        return expected.toString();
    }
}
