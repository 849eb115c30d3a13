/**
 * Which device a Spark task trains on, binding the task's thread to it, and how many CPU threads
 * ND4J and OpenBLAS use for it ({@link dptrain.worker.device.CpuThreads}).
 *
 * <p>The only ND4J CUDA build is {@code nd4j-cuda-11.6 1.0.0-M2.1}; its {@code libnd4jcuda.so}
 * carries kernels for sm_37 to sm_86 and no PTX, so it runs on compute capability 3.7 to 8.9
 * (Kepler to Ada, which runs sm_86 code) and not on Hopper or later. The check therefore reads
 * the capability from {@code nvidia-smi} before ND4J is touched: a kernel launch on an
 * unsupported GPU would fail deep inside a training step instead. See docs/gpu.md.
 *
 * <p>{@link dptrain.worker.device.DeviceSelector} decides (pure, testable with a fake
 * {@link dptrain.worker.device.GpuInventory}); {@link dptrain.worker.device.DeviceBinding} applies
 * the decision at the start of every task.
 */
package dptrain.worker.device;
