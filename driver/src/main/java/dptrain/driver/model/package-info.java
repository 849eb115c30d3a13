/** The DL4J network configuration built from the job spec. */
package dptrain.driver.model;
