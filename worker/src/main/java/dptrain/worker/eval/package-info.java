/** Distributed evaluation: per-block sums that reduce into loss, accuracy, confusion, MSE, MAE, r2. */
package dptrain.worker.eval;
