/** Atomic, checksummed checkpoints on any Hadoop FileSystem, and resuming from them. */
package dptrain.driver.checkpoint;
