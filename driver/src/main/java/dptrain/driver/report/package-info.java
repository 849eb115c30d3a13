/** What a run leaves behind and shows: metrics.jsonl, progress lines, summary.json, model.zip. */
package dptrain.driver.report;
