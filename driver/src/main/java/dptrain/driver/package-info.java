/**
 * The Spark application: the job spec ({@code config}), data loading ({@code data}), the network
 * built from the spec ({@code model}), the epoch loop ({@code loop}), checkpoints
 * ({@code checkpoint}), metrics and reports ({@code report}) and the command line ({@code cli}).
 */
package dptrain.driver;
