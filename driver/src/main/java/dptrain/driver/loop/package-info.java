/**
 * The epoch loop ({@link dptrain.driver.loop.Trainer}), its listener interface and event, and
 * the Spark side of an epoch: one barrier stage per epoch, distributed evaluation.
 */
package dptrain.driver.loop;
