package dptrain.driver.config;

/**
 * Where results go.
 *
 * @param dir any Hadoop URI or local path: metrics.jsonl, summary.json, model.zip
 */
public record OutputSpec(String dir) {

    public OutputSpec {
        OutputKeys.DIR.check(dir);
    }
}
