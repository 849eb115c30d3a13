package dptrain.worker.collective;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The receiving half of a rank's ring: reads the predecessor's frames of each step, checks each
 * header against what must arrive (it reads at most that, and refuses anything else), has its
 * {@link FrameSeal} open it (an encrypted frame whose tag fails is refused whole), then adds the
 * payload (reduce-scatter) or copies it (all-gather) into the buffer. How far it got is what
 * the sending half may send next, since every step sends what the step before received; it is
 * published to the collective's sending thread through one volatile word, and that thread is
 * woken when it waits for it. Owned by the calling thread of each all-reduce.
 */
final class InboundSegments {

    /** Floats added per block: a bulk copy into an L1-sized scratch array, then a vectorised add. */
    private static final int ADD_BLOCK_FLOATS = 4 * 1024;

    private final PeerConnection predecessor;
    private final RingSchedule schedule;
    private final int steps;
    private final FrameSeal seal;
    private final ByteBuffer frame;
    private final FloatBuffer payload;
    private final float[] addScratch = new float[ADD_BLOCK_FLOATS];
    /** Frames received since the ring formed. */
    private int sequence;

    /** Step whose segment is being received, how many of its floats are final. */
    private int step;
    private int done;
    /** Floats in the frame being read; 0 between frames. */
    private int count;
    private boolean headerChecked;
    /** (step << 32) | done, for the sending thread. */
    private volatile long progress;
    /** The sending thread while it waits for {@link #progress}, so the receiver can wake it. */
    private volatile Thread parkedSender;

    InboundSegments(PeerConnection predecessor, RingSchedule schedule, FrameSeal seal) {
        this.predecessor = predecessor;
        this.seal = seal;
        this.frame = seal.frame;
        this.payload = seal.payload();
        this.schedule = schedule;
        this.steps = schedule.steps();
    }

    /**
     * Marks nothing as received, before the sending thread starts, so that it cannot take the
     * previous call's progress for this one's.
     */
    void forget() {
        progress = 0;
    }

    /** Starts an all-reduce of {@code length} floats: nothing received yet. */
    void begin(int length) {
        step = 0;
        done = 0;
        count = 0;
        skipEmptySteps(length);
        progress = (long) step << 32 | done;
    }

    /** Whether every step's segment has arrived. */
    boolean finished() {
        return step >= steps;
    }

    /** How messages name the step being received. */
    String awaitedStepName() {
        return schedule.stepName(step);
    }

    /**
     * Whether the floats up to {@code end} of the segment sent in {@code sendStep} are final: step
     * 0 sends this rank's own data; step k sends what step k-1 received, up to where it has
     * arrived. For the thread that receives.
     */
    boolean hasFinal(int sendStep, int end) {
        return sendStep == 0 || step > sendStep - 1 || (step == sendStep - 1 && done >= end);
    }

    /**
     * Reads what the predecessor has sent, without waiting, up to the end of the frame due;
     * checks its header once complete and adds or copies the frame once complete. True when
     * anything moved.
     */
    boolean readAvailable(float[] buffer, int frameFloats) {
        int n = buffer.length;
        if (count == 0) {
            count = Math.min(frameFloats, schedule.segmentLength(schedule.receiveSegment(step), n) - done);
            frame.clear().limit(RingCollective.HEADER_BYTES + count * Float.BYTES + seal.tagBytes());
            headerChecked = false;
        }
        if (predecessor.readAvailable(frame, schedule.stepName(step)) <= 0) {
            return false;
        }
        if (!headerChecked && frame.position() >= RingCollective.HEADER_BYTES) {
            checkHeader(n, count * Float.BYTES, schedule.stepName(step));
            headerChecked = true;
        }
        if (!frame.hasRemaining()) {
            if (!seal.open(count * Float.BYTES)) {
                throw unauthentic();
            }
            consume(buffer, n);
        }
        return true;
    }

    /**
     * On the sending thread: waits until the receiving thread has made the floats up to
     * {@code end} of the segment sent in {@code sendStep} final, for at most the timeout.
     *
     * @param stopped whether the all-reduce failed or the collective was closed meanwhile
     */
    void awaitFinal(int sendStep, int end, long timeoutNanos, BooleanSupplier stopped) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (covers(progress, sendStep, end)) {
                return;
            }
            if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                throw new CollectiveException("rank " + schedule.rank() + ": stopped sending "
                        + schedule.stepName(sendStep) + ": the all-reduce failed or was closed");
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw predecessor.failure("timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms waiting for " + schedule.stepName(sendStep - 1) + " from "
                        + predecessor.describePeer(), null);
            }
            parkedSender = Thread.currentThread();
            if (!covers(progress, sendStep, end)) {
                LockSupport.parkNanos(this, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            parkedSender = null;
        }
    }

    private static boolean covers(long progress, int sendStep, int end) {
        int doneStep = (int) (progress >>> 32);
        return sendStep == 0 || doneStep > sendStep - 1 || (doneStep == sendStep - 1 && (int) progress >= end);
    }

    private void checkHeader(int length, int payloadBytes, String what) {
        int magic = frame.getInt(0);
        int peerSequence = frame.getInt(4);
        int peerLength = frame.getInt(8);
        int peerPayloadBytes = frame.getInt(12);
        String problem = null;
        if (magic != RingCollective.FRAME_MAGIC) {
            problem = String.format("a frame with magic 0x%08x instead of 0x%08x", magic, RingCollective.FRAME_MAGIC);
        } else if (peerSequence != sequence) {
            problem = "frame " + peerSequence + " where frame " + sequence + " was due";
        } else if (peerLength != length) {
            problem = "a buffer of " + peerLength + " floats where this rank reduces " + length;
        } else if (peerPayloadBytes != payloadBytes) {
            problem = "a payload of " + peerPayloadBytes + " bytes where " + payloadBytes + " were due";
        }
        if (problem != null) {
            // A sealed frame's header is authenticated data: any flaw in it is an attack, not a bug.
            throw seal.authenticates() ? unauthentic()
                    : predecessor.failure(predecessor.describePeer() + " sent " + problem + " in " + what, null);
        }
    }

    private CollectiveException unauthentic() {
        return predecessor.failure("frame " + sequence + " from " + predecessor.describePeer()
                + " failed authentication (tampered, replayed, reordered or truncated)", null);
    }

    /** Adds (reduce-scatter) or copies (all-gather) the complete frame just read. */
    private void consume(float[] buffer, int n) {
        int frameCount = count;
        int at = schedule.segmentStart(schedule.receiveSegment(step), n) + done;
        if (schedule.adds(step)) {
            float[] scratch = addScratch;
            for (int added = 0; added < frameCount; added += ADD_BLOCK_FLOATS) {
                int block = Math.min(ADD_BLOCK_FLOATS, frameCount - added);
                payload.get(added, scratch, 0, block);
                int base = at + added;
                for (int i = 0; i < block; i++) {
                    buffer[base + i] += scratch[i];
                }
            }
        } else {
            payload.get(0, buffer, at, frameCount);
        }
        sequence++;
        done += frameCount;
        count = 0;
        skipEmptySteps(n);
        progress = (long) step << 32 | done;
        Thread waiting = parkedSender;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    private void skipEmptySteps(int length) {
        while (step < steps && done == schedule.segmentLength(schedule.receiveSegment(step), length)) {
            step++;
            done = 0;
        }
    }
}
