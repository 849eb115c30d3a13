#!/usr/bin/env bash
# Spark resource discovery script (spark.executor.resource.gpu.discoveryScript): prints this
# host's GPUs as nvidia-smi indexes, the addresses dptrain maps to CUDA devices, e.g.
#   {"name":"gpu","addresses":["0","1"]}
# Under CUDA_VISIBLE_DEVICES (numeric indexes) only the visible GPUs are listed.
set -euo pipefail
command -v nvidia-smi >/dev/null 2>&1 || { echo "discover-gpus.sh: nvidia-smi not found; no NVIDIA driver on $(hostname)?" >&2; exit 1; }
indexes="$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' \r' | grep -E '^[0-9]+$' || true)"
if [[ -n "${CUDA_VISIBLE_DEVICES+set}" && "${CUDA_VISIBLE_DEVICES}" =~ ^[0-9,\ ]*$ ]]; then
  visible=",$(tr -d ' ' <<<"$CUDA_VISIBLE_DEVICES"),"
  indexes="$(while read -r i; do [[ -n "$i" && "$visible" == *",$i,"* ]] && echo "$i"; done <<<"$indexes" || true)"
fi
printf '{"name":"gpu","addresses":['
first=1
while read -r i; do
  [[ -z "$i" ]] && continue
  [[ $first -eq 1 ]] || printf ','
  printf '"%s"' "$i"
  first=0
done <<<"$indexes"
printf ']}\n'
