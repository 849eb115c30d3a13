package dptrain.driver.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.tools.nsc.interpreter.IMain;

/**
 * Runs one Zeppelin note's paragraphs in order the way Zeppelin's Spark interpreter does, in a JVM
 * of its own (started by {@link NotebookIT}):
 *
 * <pre>  NotebookRunner &lt;results.json&gt; &lt;note.zpln&gt;</pre>
 *
 * Zeppelin's Spark interpreter ({@code SparkScala212Interpreter}, {@code SparkScala213Interpreter})
 * is a Scala interpreter ({@code IMain}; spark-repl's {@code SparkILoop} around it on Scala 2.12,
 * {@link ScalaInterpreter} sets it up for this build's Scala) set up so: class-based line
 * wrappers ({@code -Yrepl-class-based}) writing the classes of each paragraph to a directory that
 * the SparkContext serves to the executors ({@code spark.repl.class.outputDir}), so closures
 * written in a note run on executors; the interpreter's class loader as the thread's context class
 * loader; {@code spark}, {@code sc} and {@code z} bound; {@code spark.implicits._},
 * {@code spark.sql} and {@code functions._} imported; each paragraph interpreted as one piece of
 * code, and a paragraph that comes back incomplete (its last line a comment) once more with
 * {@code print("")} after it. This runner does the same, with {@link StandInZeppelinContext} as
 * {@code z}. dptrain comes from the class path (dptrain.jar, as {@code spark.jars} puts it on
 * Zeppelin's).
 *
 * <p>{@code %spark} paragraphs run, {@code %md} and disabled paragraphs are skipped, any other
 * interpreter is a failure (it would otherwise pass unseen). Like Zeppelin's "run all", the run
 * stops at the first paragraph that fails to compile, throws, or ends inside an expression; the
 * paragraphs after it are "NOT_RUN". Each paragraph's output (the interpreter's echo, compile
 * errors and stack traces, what its code and {@code z.show} print) goes to stdout and into
 * {@code results.json} with its status. Exit status: 0 every paragraph passed, 1 one failed,
 * 2 the runner itself could not start.
 */
public final class NotebookRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Zeppelin's Spark interpreter's own first lines (SparkScala212Interpreter), with the runner's {@code z}. */
    private static final List<String> PREAMBLE = List.of(
            "@transient val spark = org.apache.spark.sql.SparkSession.builder().getOrCreate()",
            "@transient val sc = spark.sparkContext",
            "@transient val z = new dptrain.driver.notebook.StandInZeppelinContext(System.out, "
                    + StandInZeppelinContext.DEFAULT_MAX_RESULT + ")",
            "import org.apache.spark.SparkContext._",
            "import spark.implicits._",
            "import spark.sql",
            "import org.apache.spark.sql.functions._");

    enum Status {
        SUCCESS, SKIPPED, ERROR, INCOMPLETE, UNSUPPORTED, NOT_RUN;

        boolean failed() {
            return this == ERROR || this == INCOMPLETE || this == UNSUPPORTED;
        }
    }

    private NotebookRunner() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: NotebookRunner <results.json> <note.zpln>");
            System.exit(2);
        }
        Path results = Path.of(args[0]).toAbsolutePath();
        Note note = Note.read(Path.of(args[1]));
        // before anything touches scala.Console, which keeps the System.out it first sees
        PrintStream log = System.out;
        ParagraphOutput capture = new ParagraphOutput(log);
        System.setOut(new PrintStream(capture, true, StandardCharsets.UTF_8));

        Path classes = Files.createDirectories(results.resolveSibling("repl-classes"));
        SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.app.name", "Zeppelin note " + note.name())
                .set("spark.repl.class.outputDir", classes.toString());
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        PrintWriter replOut = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        IMain repl = ScalaInterpreter.start(classes, replOut);
        for (String line : PREAMBLE) {
            if (!String.valueOf(repl.interpret(line)).equals("Success")) {
                System.err.println("NotebookRunner: the interpreter's preamble failed at: " + line);
                System.exit(2);
            }
        }

        ObjectNode report = JSON.createObjectNode().put("note", note.name()).put("file", note.file().toString());
        ArrayNode paragraphs = report.putArray("paragraphs");
        boolean failed = false;
        for (Note.Paragraph paragraph : note.paragraphs()) {
            ObjectNode entry = paragraphs.addObject().put("number", paragraph.number()).put("title", paragraph.title())
                    .put("interpreter", paragraph.interpreter());
            Status status;
            String output = "";
            long begin = System.nanoTime();
            if (failed) {
                status = Status.NOT_RUN;
            } else if (!paragraph.enabled() || paragraph.isMarkdown()) {
                status = Status.SKIPPED;
            } else if (!paragraph.isScala()) {
                status = Status.UNSUPPORTED;
                output = "%" + paragraph.interpreter() + " paragraphs are not run here; the notebook test runs %spark"
                        + " (Scala) and skips %md";
            } else {
                log.println("=== " + note.name() + ": " + paragraph.label() + " ===");
                capture.start();
                String result = String.valueOf(repl.interpret(paragraph.code()));
                if (result.equals("Incomplete")) {
                    result = String.valueOf(repl.interpret(paragraph.code() + "\nprint(\"\")"));
                }
                replOut.flush();
                System.out.flush();
                output = capture.stop();
                status = switch (result) {
                    case "Success" -> Status.SUCCESS;
                    case "Incomplete" -> Status.INCOMPLETE;
                    default -> Status.ERROR;
                };
                if (status == Status.INCOMPLETE) {
                    output += "\nthe paragraph ends inside an expression (unclosed bracket, brace or string)";
                }
            }
            failed |= status.failed();
            entry.put("status", status.name()).put("seconds", (System.nanoTime() - begin) / 1e9).put("output", output);
            log.println("=== " + paragraph.label() + ": " + status + " ===");
        }
        Files.writeString(results, report.toPrettyString());
        spark.stop();
        repl.close();
        System.exit(failed ? 1 : 0);
    }

    /**
     * The runner's System.out: all of it goes to the real stdout (the run's log), and while a
     * paragraph runs also into that paragraph's output.
     */
    private static final class ParagraphOutput extends OutputStream {

        private final OutputStream log;
        private ByteArrayOutputStream paragraph;

        ParagraphOutput(OutputStream log) {
            this.log = log;
        }

        synchronized void start() {
            paragraph = new ByteArrayOutputStream();
        }

        synchronized String stop() {
            String text = paragraph.toString(StandardCharsets.UTF_8);
            paragraph = null;
            return text;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            log.write(b);
            if (paragraph != null) {
                paragraph.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            log.write(bytes, offset, length);
            if (paragraph != null) {
                paragraph.write(bytes, offset, length);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            log.flush();
        }
    }
}
