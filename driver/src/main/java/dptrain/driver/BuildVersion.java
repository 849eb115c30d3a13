package dptrain.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The dptrain version that every summary, checkpoint, model card and registry entry records as its
 * provenance. It comes from the build ({@code project.version}, filled into {@code build.properties}
 * by Maven), so a model says which build wrote it — {@code 0.1.0-SNAPSHOT} stays distinguishable
 * from a release — and there is no second constant to forget when the version moves. The resource
 * sits in the classes, so the shaded jar, {@code target/classes} and the tests all read the same.
 */
public final class BuildVersion {

    private static final String RESOURCE = "build.properties";
    private static final String VERSION = read();

    private BuildVersion() {
    }

    /** The version of this build, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return VERSION;
    }

    private static String read() {
        Properties properties = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE + " next to "
                        + BuildVersion.class.getName() + "; build with Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        String version = properties.getProperty("version", "");
        // An unfiltered copy (an IDE that skipped Maven's resource filtering) would record a placeholder.
        if (version.isBlank() || version.contains("${")) {
            throw new IllegalStateException(RESOURCE + " next to " + BuildVersion.class.getName()
                    + " has no version filled in by the build, got '" + version + "'; build with Maven");
        }
        return version;
    }
}
