# Sourced by ./dptrain and the deploy scripts: which Spark line's build to run, chosen with
# DPTRAIN_SPARK — 3 (the default; Spark 3.5, Scala 2.12: driver/target/dptrain.jar) or 4 (Spark 4.2,
# Scala 2.13, built with -Pspark4: driver/target/spark4/dptrain-spark4.jar). The one place the
# scripts differ by line, as the poms' spark4 profile is the one place the build does.
#
# After spark_line_select: SPARK_LINE (3|4), SPARK_LINE_NAME (for messages), SPARK_LINE_BUILD (the
# driver's build directory, relative to the repository), SPARK_LINE_SUFFIX ('' or -spark4: the jar
# is dptrain$SUFFIX.jar, dptrain-cuda$SUFFIX.jar for the GPU flavour, and its local class path
# classpath$SUFFIX.txt or classpath-cuda$SUFFIX.txt), SPARK_LINE_JAR_NAME and
# SPARK_LINE_CLASSPATH_NAME (the CPU flavour's), SPARK_LINE_PROFILE ('' or spark4: what to add to
# Maven's -P), SPARK_LINE_MAVEN (the Maven arguments that build the CPU flavour) and
# SPARK_LINE_JAVA_OPTIONS (Spark's own Java 17 options for a driver JVM started without
# spark-submit, and DL4J's -Djdk.reflect setting).

spark_line_select() {
  case "${DPTRAIN_SPARK:-3}" in
    3|3.5)
      SPARK_LINE=3 SPARK_LINE_NAME="Spark 3.5 (Scala 2.12)" SPARK_LINE_BUILD=driver/target
      SPARK_LINE_SUFFIX='' SPARK_LINE_PROFILE='' SPARK_LINE_MAVEN=() ;;
    4)
      SPARK_LINE=4 SPARK_LINE_NAME="Spark 4.2 (Scala 2.13)" SPARK_LINE_BUILD=driver/target/spark4
      SPARK_LINE_SUFFIX=-spark4 SPARK_LINE_PROFILE=spark4 SPARK_LINE_MAVEN=(-Pspark4) ;;
    *)
      echo "dptrain: error: DPTRAIN_SPARK: unknown value '$DPTRAIN_SPARK'; use 3 (Spark 3.5, the default) or 4 (Spark 4.2)" >&2
      return 2 ;;
  esac
  SPARK_LINE_JAR_NAME="dptrain$SPARK_LINE_SUFFIX.jar"
  SPARK_LINE_CLASSPATH_NAME="classpath$SPARK_LINE_SUFFIX.txt"
  SPARK_LINE_JAVA_OPTIONS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
    --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false)
  if [[ $SPARK_LINE == 4 ]]; then
    # Spark 4's launcher adds these too (the root pom's spark.java.options for the tests): its
    # Netty 4.2 reaches direct buffers by reflection and must keep Spark's pooled allocator.
    SPARK_LINE_JAVA_OPTIONS+=(--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
      -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.type=pooled)
  fi
}
