package dptrain.driver.config;

import dptrain.worker.collective.AllReduceEncryption;
import dptrain.worker.device.DeviceMode;
import dptrain.worker.step.Averaging;
import java.util.List;

/** Spec texts shared by the tests of this package. */
final class Specs {

    /** The smallest valid spec: everything else takes its default. */
    static final String MINIMAL = """
            data:
              format: idx
              train: /data/fashion/train-images-idx3-ubyte
            model:
              layers:
                - {units: 256}
                - {type: output, units: 10, loss: mcxent}
            output:
              dir: /tmp/run
            """;

    /** Every key given, none at its default. */
    static final String FULL = """
            data:
              format: csv
              train: hdfs://nn:8020/data/train.csv
              test: hdfs://nn:8020/data/test.csv
              label: price
              features: [rooms, area, age]
              header: false
              validation_fraction: 0.2
              normalize: scale
              scale: 100
            model:
              l2: 0.0001
              layers:
                - {type: dense, units: 64, activation: tanh, weight_init: he}
                - {type: dense, units: 32, activation: elu}
                - {type: output, units: 1, activation: identity, loss: mse, weight_init: xavier}
            training:
              workers: 4
              batch_size: 128
              epochs: 3
              seed: 7
              optimizer: {type: rmsprop, learning_rate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, momentum: 0.5, rho: 0.9}
              epoch_retries: 0
              collective_timeout_seconds: 30
              on_divergence: rollback
              allreduce_encryption: true
            output:
              dir: s3a://bucket/runs/1
            checkpoint:
              dir: s3a://bucket/checkpoints/1
              keep: 5
              resume: false
            early_stopping:
              metric: val_mae
              patience: 4
              min_delta: 0.01
              mode: max
            monitoring:
              log_every_iterations: 50
              probe_rows: 128
            """;

    static final JobSpec FULL_SPEC = new JobSpec(
            new DataSpec(DataFormat.CSV, "hdfs://nn:8020/data/train.csv", "hdfs://nn:8020/data/test.csv", "price",
                    List.of("rooms", "area", "age"), false, 0.2, Normalization.SCALE, 100, 0),
            new ModelSpec(List.of(
                    new LayerSpec(LayerType.DENSE, 64, Activation.TANH, null, WeightInit.HE),
                    new LayerSpec(LayerType.DENSE, 32, Activation.ELU, null, WeightInit.HE),
                    new LayerSpec(LayerType.OUTPUT, 1, Activation.IDENTITY, Loss.MSE, WeightInit.XAVIER)), 0.0001),
            new TrainingSpec(4, 128, 3, 7,
                    new OptimizerSpec(OptimizerType.RMSPROP, 0.002, 0.5, 0.8, 0.99, 1e-6, 0.9), 0, 30,
                    Averaging.Mode.GRADIENTS, 1, true, OnDivergence.ROLLBACK, DeviceMode.AUTO,
                    AllReduceEncryption.TRUE),
            new OutputSpec("s3a://bucket/runs/1"),
            new CheckpointSpec("s3a://bucket/checkpoints/1", 5, false),
            new EarlyStoppingSpec(StopMetric.VAL_MAE, 4, 0.01, StopMode.MAX),
            new MonitoringSpec(50, 128));

    private Specs() {
    }

    static JobSpec parse(String yaml, String... overrides) {
        return SpecLoader.parse(yaml, "spec.yaml", List.of(overrides));
    }
}
