/** Early stopping: watch a metric, keep the best epoch's state, ask the loop to stop. */
package dptrain.driver.stopping;
