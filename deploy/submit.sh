#!/usr/bin/env bash
# Submits a dptrain training job through spark-submit, with the jar the build makes
# (driver/target/dptrain.jar: dptrain, DL4J and ND4J for linux-x86_64; Spark comes from the cluster).
#
#   deploy/submit.sh [--master URL] [--deploy-mode client|cluster] [--conf k=v ...] -- <spec.yaml> [key=value ...]
#
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise Spark's own submit entry
# point (org.apache.spark.deploy.SparkSubmit, what spark-submit runs) from the project's
# classpath, which is enough for local[N] and standalone masters.
# In cluster deploy mode the spec is shipped with --files and read from the driver's working dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$HERE/driver/target/dptrain.jar"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

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

if [[ ! -f "$JAR" ]]; then
  (cd "$HERE" && ./mvnw -B -q -DskipTests package) >&2
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
[[ -f "$HERE/driver/target/classpath.txt" ]] || (cd "$HERE" && ./mvnw -B -q -DskipTests package) >&2
exec java $OPENS --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Xmx"${DPTRAIN_DRIVER_MEMORY:-8g}" \
  -Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" \
  -cp "$(cat "$HERE/driver/target/classpath.txt")" org.apache.spark.deploy.SparkSubmit \
  "${common[@]}" "$JAR" train "$spec_arg" "$@"
