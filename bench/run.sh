#!/usr/bin/env bash
# The benchmark (issue "Faster than one machine"): dptrain against single-process DL4J, dl4j-spark
# parameter averaging, Spark MLlib and the gemm ceiling, on this machine, one system at a time.
#
#   bench/run.sh [--epochs N] [--only gemm,dl4j,dptrain-w1,dptrain-w2,dptrain-pa,dl4j-spark,dl4j-spark-allreduce,mllib]
#                [--threads 1,2] [--mllib-iterations M] [--averaging-frequency F] [--quiet-wait S]
#
# Writes bench/results/<date>.md and bench/results/<date>.json; logs of every run in
# bench/target/runs/<time>/. See docs/benchmark.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Spark's own Java 17 list (the root pom's java17.opens); every JVM the harness starts gets it.
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
export BENCH_JAVA_OPTS="$(echo $OPENS)"

# Build before anything is timed: the product (./dptrain builds it when sources changed; with
# "train --help" it builds and stops) and the harness (-Pbench; offline when the local
# repository already holds everything).
./dptrain train --help >/dev/null
mvn_bench() { mvn -B -q "$@" -Pbench -pl bench -am package -DskipTests; }
mvn_bench -o 2>/dev/null || mvn_bench

exec java $BENCH_JAVA_OPTS -Xmx512m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dptrain.bench.BenchMain "$@"
