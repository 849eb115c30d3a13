package dptrain.worker.collective;

/**
 * Which part of the buffer one rank of the ring sends and receives in each step. The buffer of
 * n floats is cut into {@code size} segments, segment s being {@code [s*n/size, (s+1)*n/size)}.
 * Steps {@code 0 .. size-2} are the reduce-scatter: step k sends segment (rank-k) and adds the
 * received segment (rank-k-1), so after it this rank holds the full sum of segment (rank+1).
 * Steps {@code size-1 .. 2(size-1)-1} are the all-gather: each sends the finished segment it
 * holds and copies the one it receives. In every step a rank sends what it received in the step
 * before, which is what lets frames of consecutive steps overlap. Both neighbours compute the
 * same schedule from (rank, size, n) alone, so nothing about it travels on the wire.
 */
final class RingSchedule {

    private final int rank;
    private final int size;
    private final int steps;
    /** "reduce-scatter data (step 1 of 2)" and so on, per step, for messages. */
    private final String[] stepNames;

    RingSchedule(int rank, int size) {
        this.rank = rank;
        this.size = size;
        this.steps = 2 * (size - 1);
        this.stepNames = new String[steps];
        for (int step = 0; step < steps; step++) {
            boolean scatter = step < size - 1;
            stepNames[step] = (scatter ? "reduce-scatter" : "all-gather") + " data (step "
                    + (scatter ? step + 1 : step - size + 2) + " of " + (size - 1) + ")";
        }
    }

    int rank() {
        return rank;
    }

    /** Steps of one all-reduce: 2(size-1). */
    int steps() {
        return steps;
    }

    /** Whether {@code step} adds what it receives (reduce-scatter) rather than copying it (all-gather). */
    boolean adds(int step) {
        return step < size - 1;
    }

    /** How messages name {@code step}. */
    String stepName(int step) {
        return stepNames[step];
    }

    int segmentStart(int segment, int length) {
        return (int) ((long) segment * length / size);
    }

    int segmentLength(int segment, int length) {
        return segmentStart(segment + 1, length) - segmentStart(segment, length);
    }

    /**
     * The segment this rank sends in {@code step}. Reduce-scatter step k sends segment (rank-k);
     * all-gather step k sends segment (rank+1-k), whose final sum this rank holds. Step k+1 sends
     * what step k received.
     */
    int sendSegment(int step) {
        return step < size - 1 ? segment(rank - step) : segment(rank + 1 - (step - size + 1));
    }

    /** The segment this rank receives in {@code step}: reduce-scatter adds it, all-gather copies it. */
    int receiveSegment(int step) {
        return step < size - 1 ? segment(rank - step - 1) : segment(rank - (step - size + 1));
    }

    private int segment(int index) {
        return Math.floorMod(index, size);
    }
}
