/** The {@code dptrain} command line; the only place that prints to the console. */
package dptrain.driver.cli;
