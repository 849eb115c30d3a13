package dptrain.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ceiling: only the model's matrix products, as one training iteration would run them, with
 * {@code Nd4j.gemm} (transpose flags, preallocated 'f'-order outputs) so no copies or
 * allocations are timed. Per layer with {@code n_in x n_out} weights and batch B:
 * forward {@code X·W} (B x n_out), weight gradient {@code Xᵀ·δ} (n_in x n_out) and input gradient
 * {@code δ·Wᵀ} (B x n_in), each {@code 2·B·n_in·n_out} FLOPs, so one iteration is
 * {@code 6·B·Σ n_in·n_out} FLOPs (the first layer's input gradient included, as the
 * "6 × weights × samples" rule counts it). Threads: {@code OMP_NUM_THREADS}.
 *
 * <p>{@code --batch B --seconds S --result FILE}
 */
public final class GemmCeiling {

    private GemmCeiling() {
    }

    public static void main(String[] args) {
        int batch = Integer.parseInt(ResultFile.option(args, "batch", "64"));
        double seconds = Double.parseDouble(ResultFile.option(args, "seconds", "5"));
        int layers = Mlp.LAYERS.length - 1;
        INDArray[] x = new INDArray[layers];
        INDArray[] w = new INDArray[layers];
        INDArray[] out = new INDArray[layers];
        INDArray[] delta = new INDArray[layers];
        INDArray[] dW = new INDArray[layers];
        INDArray[] dx = new INDArray[layers];
        Nd4j.getRandom().setSeed(Mlp.SEED);
        for (int l = 0; l < layers; l++) {
            int in = Mlp.LAYERS[l];
            int outWidth = Mlp.LAYERS[l + 1];
            x[l] = Nd4j.rand(DataType.FLOAT, batch, in).dup('f');
            w[l] = Nd4j.rand(DataType.FLOAT, in, outWidth).dup('f');
            delta[l] = Nd4j.rand(DataType.FLOAT, batch, outWidth).dup('f');
            out[l] = Nd4j.create(DataType.FLOAT, new long[] {batch, outWidth}, 'f');
            dW[l] = Nd4j.create(DataType.FLOAT, new long[] {in, outWidth}, 'f');
            dx[l] = Nd4j.create(DataType.FLOAT, new long[] {batch, in}, 'f');
        }
        double flopsPerIteration = 6.0 * batch * Mlp.weightCount();

        for (int i = 0; i < 200; i++) {
            iteration(x, w, out, delta, dW, dx);
        }
        long iterations = 0;
        long begin = System.nanoTime();
        long deadline = begin + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 100; i++) {
                iteration(x, w, out, delta, dW, dx);
            }
            iterations += 100;
            now = System.nanoTime();
        } while (now < deadline);
        double elapsed = (now - begin) / 1e9;
        double gflops = flopsPerIteration * iterations / elapsed / 1e9;
        System.out.printf("gemm ceiling, batch %d: %d iterations in %.2f s, %.1f GFLOP/s, %.1f us/iteration%n",
                batch, iterations, elapsed, gflops, elapsed / iterations * 1e6);

        ObjectNode result = ResultFile.create();
        result.put("batch", batch);
        result.put("iterations", iterations);
        result.put("seconds", elapsed);
        result.put("gflops", gflops);
        result.put("seconds_per_iteration", elapsed / iterations);
        result.put("flops_per_iteration", flopsPerIteration);
        result.put("config", "Nd4j.gemm with transpose flags into preallocated 'f'-order outputs, batch " + batch);
        ResultFile.write(ResultFile.option(args, "result", "gemm.json"), result);
    }

    private static void iteration(INDArray[] x, INDArray[] w, INDArray[] out, INDArray[] delta, INDArray[] dW,
                                  INDArray[] dx) {
        for (int l = 0; l < x.length; l++) {
            Nd4j.gemm(x[l], w[l], out[l], false, false, 1.0, 0.0);
        }
        for (int l = x.length - 1; l >= 0; l--) {
            Nd4j.gemm(x[l], delta[l], dW[l], true, false, 1.0, 0.0);
            Nd4j.gemm(delta[l], w[l], dx[l], false, true, 1.0, 0.0);
        }
    }
}
