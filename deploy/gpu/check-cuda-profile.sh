#!/usr/bin/env bash
# CI check of the -Pcuda / -Pcuda,cuda-redist build profiles: resolves the dependency graphs
# (POMs only) and the jar names, and compiles worker and driver with -Pcuda in a copy of the
# sources (this fetches the nd4j-cuda-11.6 jars, about 600 MB, once; never the 1.8 GB CUDA
# redist). Needs no GPU. Exits non-zero with one line per problem. Run by CudaProfileTest.
#
#   deploy/gpu/check-cuda-profile.sh [extra maven args, e.g. -o]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN=(mvn -B -Dstyle.color=never "$@")
[[ -x ./mvnw ]] && MVN=(./mvnw -B -Dstyle.color=never "$@")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# dependency:tree only collects POMs; it never fetches the artifacts' jars.
tree() { "${MVN[@]}" -q -pl worker dependency:tree -DoutputFile="$tmp/$1.txt" "${@:2}" >"$tmp/$1.log" 2>&1 \
  || { echo "check-cuda-profile: error: dependency:tree failed for $1:" >&2; tail -20 "$tmp/$1.log" >&2; exit 1; }; }
tree cpu
tree cuda -Pcuda
tree redist -Pcuda,cuda-redist

failures=0
has() { grep -q -- "$2" "$tmp/$1.txt" || { echo "check-cuda-profile: FAIL: $1 build lacks $2" >&2; failures=$((failures + 1)); }; }
lacks() { ! grep -q -- "$2" "$tmp/$1.txt" || { echo "check-cuda-profile: FAIL: $1 build has $2" >&2; failures=$((failures + 1)); }; }

has cpu 'org.nd4j:nd4j-native:jar:linux-x86_64:1.0.0-M2:'
has cpu 'org.bytedeco:openblas:jar:linux-x86_64:'
has cpu 'org.deeplearning4j:deeplearning4j-nn:jar:1.0.0-M2:'
lacks cpu 'nd4j-cuda'
lacks cpu 'redist'

for flavour in cuda redist; do
  has "$flavour" 'org.nd4j:nd4j-cuda-11.6:jar:linux-x86_64:1.0.0-M2.1:'
  has "$flavour" 'org.deeplearning4j:deeplearning4j-nn:jar:1.0.0-M2.1:'
  has "$flavour" 'org.nd4j:nd4j-api:jar:1.0.0-M2.1:'
  lacks "$flavour" 'org.nd4j:nd4j-native:'
  lacks "$flavour" 'org.bytedeco:openblas:'
  lacks "$flavour" ':1.0.0-M2:'
done
lacks cuda 'linux-x86_64-redist'
has redist 'org.bytedeco:cuda:jar:linux-x86_64-redist:11.6-8.3-1.5.7:'

jar_name() { "${MVN[@]}" -q -pl driver help:evaluate -Dexpression=shaded.jar.name -DforceStdout "$@" 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g"; }
[[ "$(jar_name)" == dptrain ]] || { echo "check-cuda-profile: FAIL: default jar is not dptrain.jar" >&2; failures=$((failures + 1)); }
[[ "$(jar_name -Pcuda)" == dptrain-cuda ]] || { echo "check-cuda-profile: FAIL: -Pcuda jar is not dptrain-cuda.jar" >&2; failures=$((failures + 1)); }

# The GPU flavour must compile, not only resolve: build worker and driver with -Pcuda (main code;
# DL4J/ND4J M2.1) in a copy of the sources, so this never touches the CPU build in target/.
mkdir -p "$tmp/src"
cp pom.xml mvnw "$tmp/src/"
for module in worker driver bench; do
  mkdir -p "$tmp/src/$module"
  cp "$module/pom.xml" "$tmp/src/$module/"
  [[ -d "$module/src/main" ]] && mkdir -p "$tmp/src/$module/src" && cp -r "$module/src/main" "$tmp/src/$module/src/"
done
(cd "$tmp/src" && "${MVN[@]}" -q -Pcuda -pl worker,driver compile >"$tmp/compile.log" 2>&1) || {
  echo "check-cuda-profile: FAIL: -Pcuda does not compile:" >&2
  grep -E 'ERROR|error:' "$tmp/compile.log" | head -20 >&2
  failures=$((failures + 1))
}

if [[ $failures -gt 0 ]]; then
  echo "check-cuda-profile: $failures problem(s)" >&2
  exit 1
fi
echo "check-cuda-profile: OK (cpu: nd4j-native M2; cuda: nd4j-cuda-11.6 M2.1, no nd4j-native, compiles; cuda-redist adds the CUDA 11.6 redist; jars dptrain.jar / dptrain-cuda.jar)"
