/**
 * The per-iteration step: backward pass, all-reduce of gradient sums, the same updater step on
 * every rank. Also the optimizers DL4J lacks ({@link dptrain.worker.step.Momentum}).
 */
package dptrain.worker.step;
