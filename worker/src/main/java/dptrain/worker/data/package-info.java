/**
 * Training data as the executors hold it: compact float32 shard blocks and the plan that cuts
 * them into the parts of each global mini-batch.
 */
package dptrain.worker.data;
