#!/usr/bin/env bash
# Submits one scheduled retraining (dptrain retrain) to YARN in cluster deploy mode: one executor
# per worker, so the barrier stage of an epoch gets its training.workers slots at once; the spec is
# shipped with --files. Meant to be called by a scheduler (cron, Airflow); exits with spark-submit's
# status (in cluster mode spark-submit waits for the application: spark.yarn.submit.waitAppCompletion).
#
#   deploy/retrain/submit-yarn.sh [options] <spec.yaml> [key=value ...]
#
#   --workers N          training.workers and executors (default 2)
#   --executor-cores C   cores of each executor, all for its one training task (default 4)
#   --executor-memory M  executor memory (default 8g)
#   --queue Q            YARN queue (default default)
#   --dry-run            print the spark-submit command instead of running it
#   -h, --help           this text
#
# Env: SPARK_HOME (required unless --dry-run), DPTRAIN_SPARK (3, the default: Spark 3.5 and
#      driver/target/dptrain.jar; 4: Spark 4.2 and driver/target/spark4/dptrain-spark4.jar),
#      DPTRAIN_JAR (a jar of that line elsewhere), HADOOP_CONF_DIR or YARN_CONF_DIR as spark-submit
#      needs them for YARN.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=submit-yarn.sh
source "$ROOT/deploy/spark-line.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
fail() { echo "$NAME: error: $*" >&2; exit 2; }

workers=2 cores=4 memory=8g queue=default dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) dry_run=true; shift ;;
    --workers|--executor-cores|--executor-memory|--queue)
      [[ $# -ge 2 ]] || fail "$1 needs a value"
      case "$1" in
        --workers) workers="$2" ;;
        --executor-cores) cores="$2" ;;
        --executor-memory) memory="$2" ;;
        --queue) queue="$2" ;;
      esac
      shift 2 ;;
    --) shift; break ;;
    -*) fail "unknown option '$1'; see --help" ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
spec="$1"; shift
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || fail "--workers: expected a positive integer, got '$workers'"
[[ "$cores" =~ ^[1-9][0-9]*$ ]] || fail "--executor-cores: expected a positive integer, got '$cores'"
[[ -f "$spec" ]] || fail "spec file not found: $spec"
spark_line_select || exit 2
JAR="${DPTRAIN_JAR:-$ROOT/$SPARK_LINE_BUILD/$SPARK_LINE_JAR_NAME}"
if [[ "$dry_run" == false ]]; then
  [[ -n "${SPARK_HOME:-}" ]] || fail "set SPARK_HOME"
  [[ -f "$JAR" ]] || fail "$JAR not found; build it with ./mvnw -B ${SPARK_LINE_MAVEN[*]:+${SPARK_LINE_MAVEN[*]} }-DskipTests package"
fi

# DL4J/ND4J on Java 17 need these on the driver and the executors.
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
command=("${SPARK_HOME:-\$SPARK_HOME}/bin/spark-submit"
  --master yarn --deploy-mode cluster --queue "$queue"
  --class dptrain.driver.cli.Main --name dptrain-retrain
  --num-executors "$workers" --executor-cores "$cores" --executor-memory "$memory"
  --conf spark.dynamicAllocation.enabled=false
  --conf spark.task.cpus="$cores"
  --conf spark.executorEnv.OMP_NUM_THREADS="$cores"
  --conf spark.yarn.maxAppAttempts=1
  --conf "spark.executor.extraJavaOptions=$OPENS"
  --conf "spark.driver.extraJavaOptions=$OPENS"
  --files "$spec"
  "$JAR" retrain "$(basename "$spec")" training.workers="$workers" "$@")

if [[ "$dry_run" == true ]]; then
  printf '%q ' "${command[@]}" | sed 's/ $//'
  echo
  exit 0
fi
exec "${command[@]}"
