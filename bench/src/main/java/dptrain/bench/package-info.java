/**
 * The benchmark harness (issue "Faster than one machine"): {@link dptrain.bench.BenchMain} runs
 * every system in its own JVM, one after another, on the same data, model and global batch, and
 * writes the comparison table. Each other class with a {@code main} is one system under test (or
 * the gemm ceiling) and writes its numbers as one JSON object. Benchmarks are programs that print
 * numbers, not tests with time limits.
 */
package dptrain.bench;
