/**
 * The Spark application. Front ends: the command line ({@code cli}, running a {@code job} from a
 * spec), the Spark ML estimators ({@code ml}) and the dl4j-spark TrainingMaster drop-in
 * ({@code dl4j}); each translates its input into one request for the {@code engine} (the epochs of
 * a run). Around them: the job spec ({@code config}), data loading and sharding ({@code data}), the
 * DL4J network built from the spec ({@code network}), checkpoints ({@code checkpoint}), metrics,
 * reports and the model card ({@code report}), early stopping ({@code stopping}) and the model
 * registry ({@code registry}). docs/architecture.md shows the data flow.
 */
package dptrain.driver;
