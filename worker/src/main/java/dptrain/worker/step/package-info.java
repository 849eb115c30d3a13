/**
 * One rank's training step: the stage between a batch of this rank's rows (from {@code data}) and
 * the all-reduce (in {@code collective}), run once per batch by the epoch's loop in {@code task}.
 *
 * <p>A step is two choices, each made once per epoch behind a small interface. The
 * <b>synchronizer</b> ({@link dptrain.worker.step.TrainingStep}, built by
 * {@code TrainingStep.forEpoch} from the {@link dptrain.worker.step.Averaging.Mode}) says how the
 * ranks agree: {@code GradientAveraging} adds the ranks' gradient sums every iteration and runs
 * one update on the total (the exact global-batch step); {@code ParameterAveraging} steps locally
 * and averages parameters every K iterations. The <b>compute pass</b> ({@code ComputePass}) turns
 * a batch into gradient sums: {@code Dl4jLayers} (DL4J's own layers, for any network) or
 * {@code DenseGradients} (the host fast path for plain dense stacks). The <b>parameter update</b>
 * ({@code ParameterUpdate}) turns summed gradients into new parameters: {@code Dl4jParameterUpdate}
 * or {@code FusedParameterUpdate} (DL4J's step for every optimizer the spec offers, bit for bit, as
 * one Java pass; {@code UpdateRule} holds each optimizer's arithmetic). DL4J creates the
 * gradient views and updater blocks lazily in its first pass and update, so an epoch's first pass
 * and first update are DL4J's, and the fast ones are chosen once right after them.
 *
 * <h2>The compute pass contract</h2>
 * A faster pass (convolutions, a GPU) plugs in as another {@code ComputePass}; every pass keeps
 * these rules, which the all-reduce, the updates and the checkpoints rely on:
 * <ul>
 *   <li><b>Parameter order.</b> Index {@code i} of the gradient is index {@code i} of DL4J's
 *       flattened parameter view ({@code net.params()}, and its flattened gradient view): layers in
 *       order (a graph's in topological order), each layer's variables in its parameter
 *       initialiser's order (a dense layer's {@code W}, column-major {@code nIn x nOut}, then
 *       {@code b}). The same order is what {@link dptrain.worker.step.NetworkState#params()} stores.</li>
 *   <li><b>Sums, not means.</b> The pass writes into the all-reduce buffer {@code sums[0, numParams)}
 *       the <em>sum</em> over its rows of the per-example gradients of the data loss, without
 *       regularisation, and returns the data loss summed over its rows. Summed gradients make the
 *       exact all-reduce a plain sum whatever the ranks' part sizes (no per-rank weights; empty
 *       parts add zeros), and the updater is then given the global batch size, so N ranks take
 *       exactly the step of one machine on the whole batch (DESIGN.md, on the per-iteration step with DL4J).
 *       L2 and weight decay are the updater's job, applied once to the summed gradient.</li>
 *   <li><b>Batch-norm statistics</b> are the one exception: where DL4J's pass leaves the running
 *       mean and spread's update rather than a gradient, a pass must leave the same, which
 *       {@code BatchNormStatistics} turns into row-weighted moments for the sum.</li>
 *   <li><b>The network stays as it was.</b> A pass reads the parameters, never writes them, and
 *       gets at least one row; it may keep buffers per part size (parts differ by at most a row).</li>
 *   <li><b>Updater-state layout.</b> DL4J's flattened updater-state view (what
 *       {@link dptrain.worker.step.NetworkState#updaterState()} stores and parameter averaging
 *       averages): updater blocks in parameter order, a block being a run of consecutive variables
 *       with equal updater configuration; within a block each state array in turn, each as long as
 *       the block's parameters and in their order (Adam: all of {@code M}, then all of {@code V}).
 *       An update that keeps the state elsewhere between iterations (as the fused one does) writes
 *       it back in this layout on {@code storeState}.</li>
 * </ul>
 *
 * <p>Also here: the network view the trainer needs ({@link dptrain.worker.step.Network}), the
 * state that travels between epochs ({@link dptrain.worker.step.NetworkState}), the step's settings,
 * gradient clipping, what a rank watches ({@link dptrain.worker.step.StepStatistics}), and the
 * optimizer DL4J lacks ({@link dptrain.worker.step.Momentum}).
 */
package dptrain.worker.step;
