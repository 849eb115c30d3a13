/**
 * What a run leaves behind and shows: metrics.jsonl, summary.json, model.zip with its model card
 * ({@code dptrain.json}, {@link dptrain.driver.report.ModelCard}: the one writer and reader of it),
 * report.html, progress lines or bar.
 */
package dptrain.driver.report;
