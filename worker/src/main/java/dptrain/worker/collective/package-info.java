/**
 * The collective: how the W tasks of a barrier stage add their arrays together, peer to peer,
 * with the driver off the per-iteration path. In the data flow it sits between the epoch's
 * barrier task ({@code worker.task}), which opens it once per epoch attempt, and the training
 * step ({@code worker.step}), which hands it the gradient (or parameter) sums every iteration.
 *
 * <h2>How a rank meets its peers, then moves data</h2>
 * <ol>
 *   <li><b>Meeting.</b> Each rank listens on an ephemeral port and publishes "host:port jvm-id"
 *       ({@code PeerAddress}) at a {@link dptrain.worker.collective.Rendezvous}: the driver's
 *       {@link dptrain.worker.collective.RendezvousServer}, reached through
 *       {@link dptrain.worker.collective.DriverRendezvous}, or Spark's
 *       {@code BarrierTaskContext.allGather} when the driver runs none. Every rank gets every
 *       address back.</li>
 *   <li><b>Forming the group.</b> {@link dptrain.worker.collective.GroupFormation} decides, once,
 *       what the group is: one rank needs nothing; ranks that are all threads of this JVM may add
 *       through memory ({@code LocalCollective}); otherwise each rank connects to its successor
 *       ({@code Connector}) and accepts its predecessor ({@code Acceptor}), both proving the
 *       job's key in the {@code Handshake}.</li>
 *   <li><b>Moving data.</b> The {@link dptrain.worker.collective.Collective} handed back only
 *       all-reduces: the {@link dptrain.worker.collective.RingCollective} over two
 *       {@code PeerConnection}s, its steps laid out by {@code RingSchedule}, its sending and
 *       receiving halves {@code OutboundSegments} and {@code InboundSegments}, each frame guarded
 *       by a {@code FrameSeal} (in clear, or AES-GCM).</li>
 * </ol>
 *
 * <h2>Why a sum</h2>
 * Each worker's backward pass leaves in DL4J's flattened gradient the <em>sum</em> of the loss
 * gradients over its part of the global mini-batch (not the mean). The gradient of the whole
 * global batch B = B_1 ∪ … ∪ B_W is therefore the plain element-wise sum
 * g(B) = Σ_w Σ_{i∈B_w} ∇ℓ_i — whatever the part sizes, so unequal shards need no weights. After
 * {@link dptrain.worker.collective.Collective#allReduceSum} every rank holds exactly that sum and
 * runs the same updater step with the global batch size, so parameters stay identical
 * everywhere. The sum must also be <em>bit-identical</em> on every rank, or the replicas would
 * drift apart over many iterations; the ring guarantees it (below).
 *
 * <h2>Why a ring</h2>
 * With n floats and W ranks, a ring all-reduce (reduce-scatter, then all-gather, each W-1 steps
 * over segments of n/W) sends and receives 2(W-1)/W·n floats per rank: independent of W and
 * optimal for bandwidth, with every link busy in both directions at once and no rank (least of
 * all the driver) a hot spot. Each segment's final sum is computed on exactly one rank and then
 * only copied, which makes the result bit-identical. Segments are sent in chunks so sending and
 * receiving overlap; with the gradient sizes of this trainer (10^5–10^7 floats) the 2(W-1)
 * latency terms are small next to the transfer time.
 *
 * <h2>Trust and failure</h2>
 * Ranks find each other through a {@link dptrain.worker.collective.Rendezvous} and then
 * authenticate every connection (the driver's rendezvous too) with HMAC-SHA256 over a per-job
 * secret and a session tag naming the job and epoch or stage attempt; ring connections use a
 * mutual challenge-response. Nothing from the network is Java-deserialized and every field read has a fixed
 * or checked size. Every wait is bounded by the configured timeout and ends in a
 * {@link dptrain.worker.collective.CollectiveException} that names this rank, the peer and what
 * was awaited: the Spark task fails and the stage is retried, rather than hanging.
 *
 * <h2>Encryption</h2>
 * When {@link dptrain.worker.collective.CollectiveSettings#encrypted()} (by default exactly when
 * Spark's own network encryption or SSL is on, see
 * {@link dptrain.worker.collective.AllReduceEncryption}), every ring frame after the handshake is
 * AES-GCM ciphertext ({@code FrameSeal}): each connection's key is derived from the job's key and
 * both fresh nonces of its handshake, each frame's nonce is its number on that connection, and
 * the clear header is authenticated data, so a frame tampered with, replayed, dropped, reordered
 * or cut short fails its tag; the receiving rank then fails with one line naming the frame and
 * the peer, having applied nothing of it, and the epoch is relaunched as for any lost peer. The
 * driver's rendezvous seals its reply the same way. The proofs of both handshakes cover the
 * setting, so a rank that does not agree is refused rather than left reading frames it cannot
 * read. Off, frames are what they always were: authenticated at connection time, then in clear.
 * The in-memory group ({@code LocalCollective}) moves nothing over a network and needs neither.
 */
package dptrain.worker.collective;
