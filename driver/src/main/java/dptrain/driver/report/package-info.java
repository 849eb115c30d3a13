/** What a run leaves behind and shows: metrics.jsonl, summary.json, model.zip, report.html, progress lines or bar. */
package dptrain.driver.report;
