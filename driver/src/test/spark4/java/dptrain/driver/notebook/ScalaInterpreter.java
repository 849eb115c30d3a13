package dptrain.driver.notebook;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * The Scala 2.13 interpreter of the Spark 4 build, set up as Zeppelin's Spark interpreter for
 * Scala 2.13 ({@code SparkScala213Interpreter}) sets up its {@code IMain}: class-based line
 * wrappers in a directory the SparkContext serves ({@code spark.repl.class.outputDir}; Spark 4's
 * executors load them with spark-core's own {@code ExecutorClassLoader}). Spark 4 publishes no
 * spark-repl for Scala 2.13 here, so the compiler's {@code IMain} is driven directly; the Spark 3.5
 * build has its own copy of this class (src/test/spark3).
 */
final class ScalaInterpreter {

    private ScalaInterpreter() {
    }

    /** What Zeppelin adds to a Spark installation's class path: the Scala compiler. */
    static List<Class<?>> addedToSpark() {
        return List.of(IMain.class);
    }

    /**
     * Class-based line wrappers written to {@code classes}, echo and errors to {@code out}, and the
     * interpreter's class loader as the thread's context class loader, so the driver finds a
     * note's classes too.
     */
    static IMain start(Path classes, PrintWriter out) {
        Settings settings = new Settings();
        List<String> arguments = List.of("-Yrepl-class-based", "-Yrepl-outdir", classes.toString(), "-usejavacp");
        scala.Tuple2<Object, scala.collection.immutable.List<String>> parsed =
                settings.processArguments(CollectionConverters.asScala(arguments).toList(), true);
        if (!(Boolean) parsed._1()) {
            throw new IllegalStateException("Scala interpreter settings not accepted: " + arguments);
        }
        IMain repl = new IMain(settings, new ReplReporterImpl(settings, out));
        if (!repl.initializeCompiler()) {
            throw new IllegalStateException("the Scala compiler did not start: " + arguments);
        }
        Thread.currentThread().setContextClassLoader(repl.classLoader());
        return repl;
    }
}
