/**
 * The versioned model registry of {@code dptrain retrain} and {@code dptrain models}: a directory
 * on any Hadoop FileSystem holding {@code v0001/}, {@code v0002/}, ... (each with {@code model.zip},
 * {@code summary.json}, {@code metrics.json}, {@code meta.json}) and a {@code current} pointer that is
 * switched atomically. A version becomes visible when its {@code meta.json} is written, last.
 */
package dptrain.driver.registry;
