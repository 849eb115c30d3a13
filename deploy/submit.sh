#!/usr/bin/env bash
# Submits a dptrain training job through spark-submit, with the jar the build makes
# (driver/target/dptrain.jar: dptrain, DL4J and ND4J for linux-x86_64; Spark comes from the cluster).
#
#   deploy/submit.sh [--master URL] [--deploy-mode client|cluster] [--conf k=v ...] -- <spec.yaml> [key=value ...]
#
# DPTRAIN_SPARK=4 submits the Spark 4.2 / Scala 2.13 build (driver/target/spark4/dptrain-spark4.jar)
# to a Spark 4 cluster instead (3, the default: Spark 3.5). Either jar is built when missing.
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise Spark's own submit entry
# point (org.apache.spark.deploy.SparkSubmit, what spark-submit runs) from the project's
# classpath, which is enough for local[N] and standalone masters.
# In cluster deploy mode the spec is shipped with --files and read from the driver's working dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$HERE/deploy/spark-line.sh"

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

spark_args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --master|--deploy-mode|--conf|--executor-memory|--driver-memory|--executor-cores|--num-executors|--queue|--name|--properties-file)
      [[ $# -ge 2 ]] || { echo "submit.sh: error: $1 needs a value" >&2; exit 2; }
      spark_args+=("$1" "$2"); shift 2 ;;
    *) echo "submit.sh: error: unknown option '$1' (spark-submit options go before --, the spec after it)" >&2; exit 2 ;;
  esac
done
[[ "${1:-}" == "--" ]] && shift
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
spec="$1"; shift
[[ -f "$spec" ]] || { echo "submit.sh: error: spec file not found: $spec" >&2; exit 2; }
spark_line_select || exit 2
JAR="$HERE/$SPARK_LINE_BUILD/$SPARK_LINE_JAR_NAME"
CLASSPATH_FILE="$HERE/$SPARK_LINE_BUILD/$SPARK_LINE_CLASSPATH_NAME"

if [[ ! -f "$JAR" || ( -z "${SPARK_HOME:-}" && ! -f "$CLASSPATH_FILE" ) ]]; then
  (cd "$HERE" && ./mvnw -B -q "${SPARK_LINE_MAVEN[@]}" -DskipTests package) >&2
fi

deploy_mode=client
for ((i = 0; i < ${#spark_args[@]}; i++)); do
  [[ "${spark_args[$i]}" == "--deploy-mode" ]] && deploy_mode="${spark_args[$((i + 1))]}"
done
spec_arg="$spec"
if [[ "$deploy_mode" == cluster ]]; then
  spark_args+=(--files "$spec")
  spec_arg="$(basename "$spec")"
fi

# DL4J/ND4J on Java 17 need these on the executors too (spark-submit adds them to the driver).
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
common=(--class dptrain.driver.cli.Main --name dptrain
  --conf "spark.executor.extraJavaOptions=$OPENS"
  --conf "spark.driver.extraJavaOptions=$OPENS -Dlog4j2.configurationFile=$HERE/conf/log4j2.properties"
  "${spark_args[@]}")

if [[ -n "${SPARK_HOME:-}" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" "${common[@]}" "$JAR" train "$spec_arg" "$@"
fi
# No SPARK_HOME: Spark's submit entry point from this line's class path, in a JVM with Spark's own options.
exec java "${SPARK_LINE_JAVA_OPTIONS[@]}" -Xmx"${DPTRAIN_DRIVER_MEMORY:-8g}" \
  -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
  -cp "$(cat "$CLASSPATH_FILE")" org.apache.spark.deploy.SparkSubmit \
  "${common[@]}" "$JAR" train "$spec_arg" "$@"
