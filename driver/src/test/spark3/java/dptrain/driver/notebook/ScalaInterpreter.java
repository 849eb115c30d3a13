package dptrain.driver.notebook;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.repl.SparkILoop;
import scala.collection.JavaConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;

/**
 * The Scala 2.12 interpreter of the Spark 3.5 build, as Zeppelin's Spark interpreter for Scala 2.12
 * ({@code SparkScala212Interpreter}) sets it up: spark-repl's {@code SparkILoop} around the
 * compiler's {@code IMain}. The Spark 4 build has its own copy of this class (src/test/spark4):
 * the REPL's API differs between Scala 2.12 and 2.13, and this is the only code that sees it.
 */
final class ScalaInterpreter {

    private ScalaInterpreter() {
    }

    /** What Zeppelin adds to a Spark installation's class path: spark-repl and the Scala compiler. */
    static List<Class<?>> addedToSpark() {
        return List.of(SparkILoop.class, IMain.class);
    }

    /**
     * Class-based line wrappers written to {@code classes} (which the SparkContext serves to
     * executors), echo and errors to {@code out}, and the interpreter's class loader as the
     * thread's context class loader (Zeppelin's loopPostInit), so the driver finds a note's classes too.
     */
    static IMain start(Path classes, PrintWriter out) {
        Settings settings = new Settings();
        List<String> arguments = List.of("-Yrepl-class-based", "-Yrepl-outdir", classes.toString(), "-usejavacp");
        scala.Tuple2<Object, scala.collection.immutable.List<String>> parsed =
                settings.processArguments(JavaConverters.asScalaBuffer(arguments).toList(), true);
        if (!(Boolean) parsed._1()) {
            throw new IllegalStateException("Scala interpreter settings not accepted: " + arguments);
        }
        SparkILoop loop = new SparkILoop(scala.Option.empty(), out);
        loop.settings_$eq(settings);
        loop.createInterpreter();
        IMain repl = loop.intp();
        repl.initializeSynchronous();
        Thread.currentThread().setContextClassLoader(repl.classLoader());
        return repl;
    }
}
