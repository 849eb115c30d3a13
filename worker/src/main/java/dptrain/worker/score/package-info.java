/** Batch scoring inside Spark tasks: a trained network rebuilt once per task, applied to row-major float blocks. */
package dptrain.worker.score;
