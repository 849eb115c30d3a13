/**
 * Loss functions DL4J lacks, written against its {@code ILossFunction} so that they serialise in
 * a network's configuration JSON (and load with {@code ModelSerializer} when this jar is on the
 * class path).
 */
package dptrain.worker.loss;
