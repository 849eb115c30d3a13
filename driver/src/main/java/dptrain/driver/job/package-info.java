/** A whole training job, from validated spec to summary and model. */
package dptrain.driver.job;
