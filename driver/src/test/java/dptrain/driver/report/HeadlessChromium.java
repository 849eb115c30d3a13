package dptrain.driver.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report tests' browser: Debian's {@code chromium}, run headless on a {@code file://} page.
 * A missing browser fails the test (it must not pass by skipping); CI installs it.
 */
public final class HeadlessChromium {

    /** Where screenshots and the pages they show are kept, in the module's build output. */
    public static final Path KEPT = Path.of("target", "report-screenshots");

    private static final Pattern PATH = Pattern.compile("<path\\b[^>]*>");
    private static final Pattern ATTRIBUTE = Pattern.compile("\\b([a-z-]+)=\"([^\"]*)\"");

    private HeadlessChromium() {
    }

    /** The page's DOM after its scripts ran ({@code --dump-dom}). */
    public static String dumpDom(Path page) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", page.toUri().toString()), page.getParent());
    }

    /**
     * Renders the page into {@code KEPT/name.png} and keeps a copy of the page beside it as
     * {@code KEPT/name.html}; returns the screenshot.
     */
    public static Path screenshot(Path page, String name) throws IOException, InterruptedException {
        Files.createDirectories(KEPT);
        Path png = KEPT.resolve(name + ".png").toAbsolutePath();
        Files.deleteIfExists(png);
        run(List.of("--screenshot=" + png, "--window-size=1200,2000", "--hide-scrollbars",
                page.toUri().toString()), page.getParent());
        Files.copy(page, KEPT.resolve(name + ".html"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.isRegularFile(png), "chromium wrote no screenshot " + png);
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                "not a PNG: " + png);
        return png;
    }

    /** The attributes of every SVG {@code path} element in a dumped DOM. */
    public static List<Map<String, String>> paths(String dom) {
        List<Map<String, String>> paths = new ArrayList<>();
        Matcher element = PATH.matcher(dom);
        while (element.find()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(element.group());
            while (attribute.find()) {
                attributes.put(attribute.group(1), attribute.group(2));
            }
            paths.add(attributes);
        }
        return paths;
    }

    /** The value of {@code attribute} on the element with {@code id}. */
    public static String attribute(String dom, String id, String attribute) {
        Matcher element = Pattern.compile("<[a-z]+\\b[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(dom);
        assertTrue(element.find(), "no element with id " + id);
        Matcher value = Pattern.compile("\\b" + Pattern.quote(attribute) + "=\"([^\"]*)\"").matcher(element.group());
        assertTrue(value.find(), "element " + id + " has no " + attribute + ": " + element.group());
        return value.group(1);
    }

    /** The text inside the element with {@code id} (which must not contain other elements). */
    public static String text(String dom, String id) {
        Matcher element = Pattern.compile("<([a-z]+)\\b[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)</\\1>")
                .matcher(dom);
        assertTrue(element.find(), "no plain-text element with id " + id);
        return element.group(2);
    }

    private static String run(List<String> arguments, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path stderr = Files.createTempFile("chromium", ".log");
        List<String> command = new ArrayList<>(List.of(executable(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        assertEquals(0, status, () -> "chromium exited with " + status + ": " + String.join(" ", command) + "\n"
                + tail(stderr));
        return stdout;
    }

    private static String executable() {
        Optional<String> found = Optional.ofNullable(System.getenv("PATH")).stream()
                .flatMap(path -> Arrays.stream(path.split(File.pathSeparator)))
                .map(dir -> Path.of(dir, "chromium"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
        if (found.isEmpty()) {
            fail("chromium is not installed, and the report tests need a real headless browser: install it with"
                    + " 'apt-get install -y chromium' (Debian's package; ./dptrain test installs it)");
        }
        return found.get();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
