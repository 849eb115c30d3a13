/**
 * The task: one rank's part of one epoch, run inside a Spark barrier task
 * ({@link dptrain.worker.task.BarrierEpochFunction}). It receives the broadcast
 * {@link dptrain.worker.task.EpochPlan}, restores the network from the epoch-start state, forms the
 * group with its peers ({@code collective}), runs every batch of its shard as one {@code step} each
 * ({@link dptrain.worker.task.EpochRunner}: "for each batch: step"), and returns an
 * {@link dptrain.worker.task.EpochReport} (rank 0 with the end state). Independent of Spark below
 * {@code BarrierEpochFunction}, so tests run ranks as threads.
 */
package dptrain.worker.task;
