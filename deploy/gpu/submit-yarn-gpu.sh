#!/usr/bin/env bash
# Submits a dptrain job to YARN on GPU executors: one executor per worker, one core and one GPU
# per executor, so each barrier task (one worker) owns one GPU. Needs YARN's GPU resource type
# (yarn.io/gpu) and dptrain-cuda.jar (./mvnw -B -Pcuda -DskipTests package).
#
#   deploy/gpu/submit-yarn-gpu.sh <workers> <spec.yaml> [key=value ...]
#
# Env: SPARK_HOME (required), DPTRAIN_SPARK (3, the default: Spark 3.5 and
#      driver/target/dptrain-cuda.jar; 4: Spark 4.2 and driver/target/spark4/dptrain-cuda-spark4.jar,
#      built with -Pcuda,spark4), DPTRAIN_JAR (a jar of that line elsewhere),
#      EXECUTOR_MEMORY (default 8g), QUEUE (default default).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/deploy/spark-line.sh"
[[ $# -ge 2 ]] || { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
workers="$1"; spec="$2"; shift 2
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "submit-yarn-gpu.sh: error: workers must be a positive integer, got '$workers'" >&2; exit 2; }
[[ -f "$spec" ]] || { echo "submit-yarn-gpu.sh: error: spec file not found: $spec" >&2; exit 2; }
[[ -n "${SPARK_HOME:-}" ]] || { echo "submit-yarn-gpu.sh: error: set SPARK_HOME" >&2; exit 2; }
spark_line_select || exit 2
JAR="${DPTRAIN_JAR:-$ROOT/$SPARK_LINE_BUILD/dptrain-cuda$SPARK_LINE_SUFFIX.jar}"
[[ -f "$JAR" ]] || { echo "submit-yarn-gpu.sh: error: $JAR not found; build it with ./mvnw -B -Pcuda${SPARK_LINE_PROFILE:+,$SPARK_LINE_PROFILE} -DskipTests package" >&2; exit 2; }

OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
exec "$SPARK_HOME/bin/spark-submit" \
  --master yarn --deploy-mode cluster --queue "${QUEUE:-default}" \
  --class dptrain.driver.cli.Main --name dptrain-gpu \
  --num-executors "$workers" \
  --conf spark.dynamicAllocation.enabled=false \
  --conf spark.executor.cores=1 \
  --conf spark.task.cpus=1 \
  --conf spark.executor.memory="${EXECUTOR_MEMORY:-8g}" \
  --conf spark.executor.resource.gpu.amount=1 \
  --conf spark.task.resource.gpu.amount=1 \
  --conf spark.executor.resource.gpu.discoveryScript=./discover-gpus.sh \
  --conf spark.yarn.executor.resource.gpu.amount=1 \
  --conf spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID \
  --conf spark.dptrain.training.device=gpu \
  --conf "spark.executor.extraJavaOptions=$OPENS" \
  --conf "spark.driver.extraJavaOptions=$OPENS" \
  --files "$ROOT/deploy/gpu/discover-gpus.sh,$spec" \
  "$JAR" train "$(basename "$spec")" training.workers="$workers" "$@"
