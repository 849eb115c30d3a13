/**
 * The network: the DL4J configuration built from the job spec's {@code model} section (or read
 * from {@code model.dl4j_json}), its optimizer and schedule, the step settings the ranks use, and
 * what the rest of the driver needs to know of its output layer ({@link
 * dptrain.driver.network.NetworkOutput}). The trained result of a run is the model (model.zip),
 * built in {@code report}.
 */
package dptrain.driver.network;
