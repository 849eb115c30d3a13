#!/usr/bin/env bash
# Submits one scheduled retraining (dptrain retrain) to Kubernetes in cluster deploy mode: one
# executor pod per worker, so the barrier stage of an epoch gets its training.workers slots at
# once. The image holds Spark 3.5 with Java 17 and dptrain.jar (default local:///opt/dptrain/dptrain.jar),
# or with DPTRAIN_SPARK=4 Spark 4.2 and dptrain-spark4.jar (default local:///opt/dptrain/dptrain-spark4.jar).
# The spec is either a file in the image (local:///opt/dptrain/conf/retrain.yaml) or a local file,
# which spark-submit uploads through --upload-path (spark.kubernetes.file.upload.path, any Hadoop
# URI the driver pod can read) and Spark places in the driver's working directory.
#
#   deploy/retrain/submit-k8s.sh --master k8s://https://<api-server> --image <image> [options] <spec> [key=value ...]
#
#   --namespace NS       namespace of the driver and executor pods (default default)
#   --service-account SA the driver's service account, allowed to create executor pods (default spark)
#   --upload-path URI    where a local spec file is uploaded (required for a local spec)
#   --workers N          training.workers and executor pods (default 2)
#   --executor-cores C   cores of each executor pod, all for its one training task (default 4)
#   --executor-memory M  executor memory (default 8g)
#   --dry-run            print the spark-submit command instead of running it
#   -h, --help           this text
#
# Env: SPARK_HOME (required unless --dry-run; of the image's Spark line), DPTRAIN_SPARK (3, the
#      default, or 4), DPTRAIN_JAR_URI (default local:///opt/dptrain/ and the line's jar name).
set -euo pipefail
NAME=submit-k8s.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/spark-line.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
fail() { echo "$NAME: error: $*" >&2; exit 2; }

master='' image='' namespace=default account=spark upload='' workers=2 cores=4 memory=8g dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) dry_run=true; shift ;;
    --master|--image|--namespace|--service-account|--upload-path|--workers|--executor-cores|--executor-memory)
      [[ $# -ge 2 ]] || fail "$1 needs a value"
      case "$1" in
        --master) master="$2" ;;
        --image) image="$2" ;;
        --namespace) namespace="$2" ;;
        --service-account) account="$2" ;;
        --upload-path) upload="$2" ;;
        --workers) workers="$2" ;;
        --executor-cores) cores="$2" ;;
        --executor-memory) memory="$2" ;;
      esac
      shift 2 ;;
    --) shift; break ;;
    -*) fail "unknown option '$1'; see --help" ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
spec="$1"; shift
[[ "$master" == k8s://* ]] || fail "--master: expected k8s://https://<api-server>, got '$master'"
[[ -n "$image" ]] || fail "--image is required"
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || fail "--workers: expected a positive integer, got '$workers'"
[[ "$cores" =~ ^[1-9][0-9]*$ ]] || fail "--executor-cores: expected a positive integer, got '$cores'"

files=()
if [[ "$spec" == local://* ]]; then
  spec_arg="${spec#local://}"
else
  [[ -f "$spec" ]] || fail "spec file not found: $spec"
  [[ -n "$upload" ]] || fail "--upload-path is required to ship the local spec $spec (or give local:///path/in/the/image)"
  files=(--files "$spec" --conf spark.kubernetes.file.upload.path="$upload")
  spec_arg="$(basename "$spec")"
fi
[[ "$dry_run" == true || -n "${SPARK_HOME:-}" ]] || fail "set SPARK_HOME"
spark_line_select || exit 2

OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
command=("${SPARK_HOME:-\$SPARK_HOME}/bin/spark-submit"
  --master "$master" --deploy-mode cluster
  --class dptrain.driver.cli.Main --name dptrain-retrain
  --conf spark.kubernetes.container.image="$image"
  --conf spark.kubernetes.namespace="$namespace"
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="$account"
  --conf spark.executor.instances="$workers"
  --conf spark.executor.cores="$cores"
  --conf spark.task.cpus="$cores"
  --conf spark.executor.memory="$memory"
  --conf spark.executorEnv.OMP_NUM_THREADS="$cores"
  --conf spark.dynamicAllocation.enabled=false
  --conf spark.kubernetes.submission.waitAppCompletion=true
  --conf "spark.executor.extraJavaOptions=$OPENS"
  --conf "spark.driver.extraJavaOptions=$OPENS"
  "${files[@]}"
  "${DPTRAIN_JAR_URI:-local:///opt/dptrain/$SPARK_LINE_JAR_NAME}" retrain "$spec_arg" training.workers="$workers" "$@")

if [[ "$dry_run" == true ]]; then
  printf '%q ' "${command[@]}" | sed 's/ $//'
  echo
  exit 0
fi
exec "${command[@]}"
