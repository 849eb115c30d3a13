package dptrain.driver.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpecJsonTest {

    /**
     * The canonical JSON of {@link Specs#MINIMAL}. Checkpoints embed this text: a change here means
     * old checkpoints no longer read back, so bump {@link SpecJson#VERSION} and keep reading the old one.
     */
    private static final String MINIMAL_JSON = "{\"spec_version\":1,"
            + "\"data\":{\"format\":\"idx\",\"train\":\"/data/fashion/train-images-idx3-ubyte\",\"test\":null,"
            + "\"label\":null,\"features\":[],\"header\":true,\"validation_fraction\":0.1,\"normalize\":\"none\","
            + "\"scale\":255.0,\"num_features\":0,\"shape\":[],\"since\":null,\"partition_column\":\"date\","
            + "\"options\":{},\"version\":null,\"timestamp\":null},"
            + "\"model\":{\"l2\":0.0,\"layers\":["
            + "{\"type\":\"dense\",\"units\":256,\"activation\":\"relu\",\"loss\":null,\"weight_init\":\"he\","
            + "\"dropout\":0.0,\"filters\":0,\"kernel\":null,\"stride\":null,\"padding\":null,\"pooling\":null},"
            + "{\"type\":\"output\",\"units\":10,\"activation\":\"softmax\",\"loss\":\"mcxent\",\"weight_init\":\"xavier\","
            + "\"dropout\":0.0,\"filters\":0,\"kernel\":null,\"stride\":null,\"padding\":null,\"pooling\":null}],\"dl4j_json\":null},"
            + "\"training\":{\"workers\":2,\"batch_size\":64,\"epochs\":10,\"seed\":42,"
            + "\"optimizer\":{\"type\":\"adam\",\"learning_rate\":0.001,\"momentum\":0.9,\"beta1\":0.9,\"beta2\":0.999,"
            + "\"epsilon\":1.0E-8,\"rho\":0.95,\"weight_decay\":0.0,\"clip_norm\":0.0,\"clip_value\":0.0,"
            + "\"schedule\":{\"type\":\"constant\",\"warmup_iterations\":0,\"step_size\":0,\"gamma\":0.0,"
            + "\"decay_iterations\":0,\"min_learning_rate\":0.0,\"period\":0,\"period_multiplier\":0}},"
            + "\"epoch_retries\":2,\"collective_timeout_seconds\":120,\"averaging\":\"gradients\","
            + "\"averaging_frequency\":1,\"average_updater_state\":true,\"on_divergence\":\"stop\",\"device\":\"auto\",\"allreduce_encryption\":\"auto\"},"
            + "\"output\":{\"dir\":\"/tmp/run\"},"
            + "\"checkpoint\":{\"dir\":\"/tmp/run/checkpoints\",\"keep\":3,\"resume\":true},"
            + "\"early_stopping\":null,"
            + "\"monitoring\":{\"log_every_iterations\":0,\"probe_rows\":256},"
            + "\"registry\":{\"dir\":\"/tmp/run/models\"},"
            + "\"retrain\":{\"metric\":\"auto\",\"min_improvement\":0.0}}";

    @Test
    void canonicalTextOfTheMinimalSpec() {
        assertEquals(MINIMAL_JSON, SpecJson.toJson(Specs.parse(Specs.MINIMAL)));
    }

    @Test
    void roundTripIsEqual() {
        for (JobSpec spec : new JobSpec[] {Specs.FULL_SPEC, Specs.parse(Specs.MINIMAL),
                Specs.parse(Specs.FULL, "data.format=parquet", "data.header=", "training.optimizer.type=nesterovs"),
                Specs.parse(Specs.MINIMAL, "data.shape=[1, 28, 28]",
                        "model.layers=[{type: conv, filters: 8, kernel: [3, 5], padding: same}, {type: batch_norm},"
                                + " {type: pooling, pooling: avg}, {type: global_pooling}, {type: flatten},"
                                + " {units: 16, dropout: 0.2, weight_init: uniform}, {type: dropout, dropout: 0.5},"
                                + " {type: output, units: 3, loss: sparse_mcxent}]"),
                Specs.parse(Specs.MINIMAL, "model={dl4j_json: 'hdfs://nn/nets/resnet.json'}")}) {
            String json = SpecJson.toJson(spec);
            JobSpec back = SpecJson.fromJson(json);
            assertEquals(spec, back);
            assertEquals(json, SpecJson.toJson(back));
        }
    }

    @Test
    void sameSpecWrittenDifferentlyGivesTheSameText() {
        String spelledOut = Specs.MINIMAL.replace("{units: 256}", "{type: Dense, units: 256.0, activation: RELU}")
                .replace("loss: mcxent", "loss: categorical_crossentropy, weight_init: xavier");
        assertEquals(SpecJson.toJson(Specs.parse(Specs.MINIMAL)), SpecJson.toJson(Specs.parse(spelledOut)));
    }

    @Test
    void fromJsonRequiresEveryKey() {
        String withoutHeader = MINIMAL_JSON.replace("\"header\":true,", "");
        SpecException error = assertThrows(SpecException.class, () -> SpecJson.fromJson(withoutHeader));
        assertEquals("data.header: required", error.getMessage());
    }

    @Test
    void fromJsonRejectsAnotherVersion() {
        SpecException error = assertThrows(SpecException.class,
                () -> SpecJson.fromJson(MINIMAL_JSON.replace("\"spec_version\":1", "\"spec_version\":2")));
        assertEquals("spec_version: this build reads version 1, got 2", error.getMessage());
    }

    @Test
    void fromJsonRejectsAnythingButAMapping() {
        SpecException error = assertThrows(SpecException.class, () -> SpecJson.fromJson("[1]"));
        assertEquals("spec: expected a mapping with keys spec_version, data, model, training, output, checkpoint, "
                + "early_stopping, monitoring, registry, retrain, got [1]", error.getMessage());
    }

    @Test
    void fromJsonRejectsBrokenJson() {
        SpecException error = assertThrows(SpecException.class, () -> SpecJson.fromJson("{\"data\": "));
        assertEquals("spec json: not valid JSON at line 1, column 10: Unexpected end-of-input within/between Object "
                + "entries", error.getMessage());
    }
}
