package dptrain.driver.registry;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code noreplace:}, refusing (returning false) to rename
 * onto an existing file, as some object-store connectors do.
 */
public final class NoReplaceFileSystem extends RawLocalFileSystem {

    static final URI ROOT = URI.create("noreplace:///");

    @Override
    public URI getUri() {
        return ROOT;
    }

    @Override
    public String getScheme() {
        return "noreplace";
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        if (exists(dst)) {
            return false;
        }
        return super.rename(src, dst);
    }
}
