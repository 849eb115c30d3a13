package dptrain.worker.collective;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.function.BooleanSupplier;

/**
 * The sending half of a rank's ring: cuts the segment of each step into frames for the successor,
 * in order, each once its data is final (see {@link InboundSegments#hasFinal}), sealed by its
 * {@link FrameSeal}. Owned by one thread per call: the calling thread for small buffers, the
 * collective's own thread for large ones.
 */
final class OutboundSegments {

    private final PeerConnection successor;
    private final RingSchedule schedule;
    private final int steps;
    private final FrameSeal seal;
    private final ByteBuffer frame;
    private final FloatBuffer payload;
    /** Frames sent since the ring formed; the receiver checks it. */
    private int sequence;

    /** Step whose segment is being framed, and how many of its floats are framed. */
    private int step;
    private int done;
    /** Step of the frame in {@link #frame}. */
    private int framedStep;

    OutboundSegments(PeerConnection successor, RingSchedule schedule, FrameSeal seal) {
        this.successor = successor;
        this.seal = seal;
        this.frame = seal.frame;
        this.payload = seal.payload();
        this.schedule = schedule;
        this.steps = schedule.steps();
    }

    /** Starts an all-reduce of {@code length} floats: nothing framed yet. */
    void begin(int length) {
        step = 0;
        done = 0;
        frame.position(0).limit(0);
        skipEmptySteps(length);
    }

    /** Whether every step's segment has been framed. */
    boolean finished() {
        return step >= steps;
    }

    /** Whether a frame is still (partly) unsent. */
    boolean pending() {
        return frame.hasRemaining();
    }

    /** How messages name the step of the frame being sent. */
    String framedStepName() {
        return schedule.stepName(framedStep);
    }

    /**
     * Frames the next up to {@code frameFloats} floats when no frame is pending and the inbound
     * half has made them final; otherwise leaves things as they are.
     */
    void frameNextIfFinal(float[] buffer, int frameFloats, InboundSegments inbound) {
        if (!frame.hasRemaining() && step < steps) {
            int count = nextCount(frameFloats, buffer.length);
            if (inbound.hasFinal(step, done + count)) {
                frame(buffer, count);
            }
        }
    }

    /** Writes what the successor's socket takes now; true when anything moved. */
    boolean writeAvailable() {
        return successor.writeAvailable(frame, schedule.stepName(framedStep)) > 0;
    }

    /**
     * On the collective's thread: every frame of every step, each as soon as {@code inbound} has
     * made its data final, with blocking writes within the timeout.
     */
    void sendAll(float[] buffer, int frameFloats, InboundSegments inbound, long timeoutNanos,
            BooleanSupplier stopped) {
        int n = buffer.length;
        step = 0;
        done = 0;
        skipEmptySteps(n);
        while (step < steps) {
            int count = nextCount(frameFloats, n);
            inbound.awaitFinal(step, done + count, timeoutNanos, stopped);
            frame(buffer, count);
            successor.writeFully(frame, schedule.stepName(framedStep));
        }
    }

    private int nextCount(int frameFloats, int length) {
        return Math.min(frameFloats, schedule.segmentLength(schedule.sendSegment(step), length) - done);
    }

    /** Copies the next {@code count} floats of the send step's segment into a frame. */
    private void frame(float[] buffer, int count) {
        int n = buffer.length;
        int from = schedule.segmentStart(schedule.sendSegment(step), n) + done;
        payload.put(0, buffer, from, count);
        frame.clear();
        frame.putInt(0, RingCollective.FRAME_MAGIC)
                .putInt(4, sequence)
                .putInt(8, n)
                .putInt(12, count * Float.BYTES);
        seal.seal(count * Float.BYTES);
        frame.limit(RingCollective.HEADER_BYTES + count * Float.BYTES + seal.tagBytes());
        sequence++;
        framedStep = step;
        done += count;
        skipEmptySteps(n);
    }

    private void skipEmptySteps(int length) {
        while (step < steps && done == schedule.segmentLength(schedule.sendSegment(step), length)) {
            step++;
            done = 0;
        }
    }
}
