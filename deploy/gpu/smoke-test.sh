#!/usr/bin/env bash
# GPU smoke test: one epoch of the Fashion-MNIST MLP, one worker, on GPU, in local mode
# (local[1]: Spark's GPU scheduling does not work locally, the task takes the first visible GPU).
# Prints the capability check, the device line the task logged, and the epoch time; exit 0 only
# when the epoch trained on a GPU. On an unsupported GPU (e.g. H100, 9.0) it still runs the job to
# show the one-line fail-fast error, and exits 3.
#
#   deploy/gpu/smoke-test.sh        (builds dptrain-cuda.jar first if it is missing)
#   DPTRAIN_SPARK=4 deploy/gpu/smoke-test.sh   the same with the Spark 4 build (dptrain-cuda-spark4.jar)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/spark-line.sh
spark_line_select || exit 2
SPEC=conf/fashion-mnist-mlp.yaml
OUT="${SMOKE_OUT:-$(mktemp -d)/smoke}"
JAR="$SPARK_LINE_BUILD/dptrain-cuda$SPARK_LINE_SUFFIX.jar"
CP="$SPARK_LINE_BUILD/classpath-cuda$SPARK_LINE_SUFFIX.txt"

echo "== capability check (nvidia-smi; dptrain-cuda supports compute capability 3.7 to 8.9)"
command -v nvidia-smi >/dev/null || { echo "smoke-test: nvidia-smi not found: no NVIDIA driver here" >&2; exit 2; }
supported=0
while IFS=, read -r index cc name; do
  index="$(tr -d ' ' <<<"$index")"; cc="$(tr -d ' ' <<<"$cc")"; name="$(sed 's/^ *//' <<<"$name")"
  major="${cc%%.*}"; minor="${cc#*.}"
  if (( major * 10 + minor >= 37 && major * 10 + minor <= 89 )); then verdict=supported; supported=$((supported + 1))
  else verdict="UNSUPPORTED (no sm_${major}${minor} kernels and no PTX in nd4j-cuda-11.6 1.0.0-M2.1)"; fi
  echo "GPU $index ($name): compute capability $cc: $verdict"
done < <(nvidia-smi --query-gpu=index,compute_cap,name --format=csv,noheader)

if [[ ! -f "$JAR" || ! -f "$CP" ]]; then
  echo "== building $JAR (-Pcuda${SPARK_LINE_PROFILE:+,$SPARK_LINE_PROFILE}; the first build downloads about 600 MB)"
  ./mvnw -B -q -Pcuda${SPARK_LINE_PROFILE:+,$SPARK_LINE_PROFILE} -DskipTests package
fi
extra=()
while IFS= read -r line; do extra+=("$line"); done < <(deploy/ensure-data.sh "$SPEC")

echo "== one epoch, one worker, training.device=gpu -> $OUT"
log="$(mktemp)"
set +e
# spark.* system properties reach SparkConf; DeviceBinding reads spark.dptrain.training.device.
# Once the driver reads training.device from the spec, add training.device=gpu to the overrides.
CUDA_DEVICE_ORDER=PCI_BUS_ID java "${SPARK_LINE_JAVA_OPTIONS[@]}" -Xmx8g -Dspark.dptrain.training.device=gpu \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -cp "$JAR:$(cat "$CP")" dptrain.driver.cli.Main train "$SPEC" \
  training.workers=1 training.epochs=1 output.dir="$OUT" "${extra[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

echo "== result"
grep -m1 -oE 'device: .*' "$log" || true
grep -m1 -oE 'DeviceUnavailableException: .*' "$log" || true
if [[ $rc -eq 0 && -f "$OUT/metrics.jsonl" ]]; then
  echo "epoch: $(head -1 "$OUT/metrics.jsonl")"
  sed -n 's/.*"epoch_seconds":\([0-9.eE+-]*\).*/epoch time: \1 s/p' "$OUT/metrics.jsonl" | head -1
  grep -q 'device: GPU' "$log" || { echo "smoke-test: FAIL: the epoch did not run on a GPU" >&2; exit 1; }
  echo "smoke-test: PASS (compare train_loss/val_accuracy with a CPU run of the same spec)"
  exit 0
fi
if [[ $supported -eq 0 ]] && grep -q 'runs on 3.7 to 8.9 only' "$log"; then
  echo "smoke-test: no supported GPU here; the job failed fast as designed (exit 3)"
  exit 3
fi
echo "smoke-test: FAIL (exit $rc)" >&2
exit 1
