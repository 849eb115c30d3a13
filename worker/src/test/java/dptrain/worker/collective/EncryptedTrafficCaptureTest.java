package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an observer of the network sees: {@code tcpdump} records the loopback traffic of a 2-rank
 * ring's all-reduce (only the ring's ports), and the capture is searched for runs of the
 * gradient bytes rank 0 sent. In clear they are there (which shows the search works); encrypted,
 * none is, and the sums are the same bit for bit. Skipped, saying why, only where tcpdump cannot
 * capture (not installed, or not allowed to open the loopback interface).
 */
class EncryptedTrafficCaptureTest {

    private static final int LENGTH = 200_000;
    /** Runs of rank 0's own data searched for, each this long: far too long to occur by chance. */
    private static final int PROBES = 100;
    private static final int PROBE_BYTES = 32;

    @TempDir
    Path directory;

    @Test
    void capturedTrafficHoldsRankZerosGradientBytesOnlyWhenNotEncrypted() throws Exception {
        float[][] inputs = inputs();
        byte[][] probes = probes(inputs[0]);

        float[][] plain = {inputs[0].clone(), inputs[1].clone()};
        byte[] clearCapture = capture(Rings.settings(), plain, directory.resolve("clear.pcap"));
        float[][] encrypted = {inputs[0].clone(), inputs[1].clone()};
        byte[] sealedCapture = capture(Rings.settings().withEncryption(true), encrypted,
                directory.resolve("encrypted.pcap"));

        int foundInClear = found(clearCapture, probes);
        int foundEncrypted = found(sealedCapture, probes);
        assertTrue(foundInClear >= PROBES * 9 / 10, "the search found only " + foundInClear + " of " + PROBES
                + " runs of gradient bytes in the clear capture (" + clearCapture.length + " bytes)");
        assertTrue(sealedCapture.length > LENGTH * Float.BYTES, "the encrypted capture holds only "
                + sealedCapture.length + " bytes: the ring's traffic was not recorded");
        assertEquals(0, foundEncrypted, "runs of gradient bytes found in the encrypted capture");
        assertArrayEquals(plain[0], encrypted[0]);
        assertArrayEquals(plain[1], encrypted[1]);
    }

    /** Records one all-reduce of {@code buffers} on a 2-rank ring with {@code settings}; the capture's bytes. */
    private static byte[] capture(CollectiveSettings settings, float[][] buffers, Path file) throws Exception {
        InMemoryRendezvous rendezvous = new InMemoryRendezvous(2, Duration.ofSeconds(30));
        Capture capture = new Capture(file);
        try {
            List<Collective> ring = Rings.open(2, settings, rank -> message -> {
                String[] addresses = rendezvous.forRank(rank).allGather(message);
                capture.startOnce(addresses);
                return addresses;
            });
            try {
                List<Rings.Outcome<Object>> outcomes = Rings.onEveryRank(2, rank -> () -> {
                    ring.get(rank).allReduceSum(buffers[rank]);
                    return null;
                });
                outcomes.forEach(outcome -> {
                    if (outcome.failure() != null) {
                        throw new AssertionError("all-reduce failed", outcome.failure());
                    }
                });
            } finally {
                Rings.closeAll(ring);
            }
        } finally {
            capture.stop();
        }
        return Files.readAllBytes(file);
    }

    /** tcpdump on {@code lo}, started once the ring's ports are known, before any connection carries data. */
    private static final class Capture {
        private final Path file;
        private Process process;
        private String problem;

        Capture(Path file) {
            this.file = file;
        }

        /**
         * On a rank's thread, once every address is known: starts tcpdump and waits until it
         * captures. A failure to start is kept for {@link #stop}, which skips the test on the test's
         * own thread (an assumption failing on a rank's thread would only fail the ring).
         */
        synchronized void startOnce(String[] addresses) {
            if (process != null || problem != null) {
                return;
            }
            List<String> ports = new ArrayList<>();
            for (int rank = 0; rank < addresses.length; rank++) {
                ports.add("port " + PeerAddress.parse(addresses[rank], -1, rank).getPort());
            }
            String filter = "tcp and (" + String.join(" or ", ports) + ")";
            try {
                process = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "-s", "0", "-w", file.toString(), filter)
                        .start();
                BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8));
                String line;
                StringBuilder said = new StringBuilder();
                while ((line = errors.readLine()) != null && !line.contains("listening on")) {
                    said.append(line).append(' ');
                }
                if (line == null) {
                    problem = "tcpdump cannot capture on lo here: " + said.toString().trim();
                }
            } catch (IOException e) {
                problem = "tcpdump cannot run here (apt-get install -y tcpdump): " + e.getMessage();
            }
        }

        /** Stops tcpdump once its last packets are written; skips the test when it never captured. */
        void stop() throws InterruptedException {
            Process running;
            String failed;
            synchronized (this) {
                running = process;
                failed = problem;
            }
            if (running != null && failed == null) {
                // Packets written with -U reach the file at once; a moment lets the last ones land.
                Thread.sleep(300);
            }
            if (running != null) {
                running.destroy();
                if (!running.waitFor(10, TimeUnit.SECONDS)) {
                    running.destroyForcibly();
                }
            }
            assumeTrue(failed == null, failed);
            assumeTrue(running != null, "the ring formed without tcpdump being started");
        }
    }

    private static float[][] inputs() {
        Random random = new Random(2026);
        float[][] inputs = new float[2][LENGTH];
        for (float[] input : inputs) {
            for (int i = 0; i < LENGTH; i++) {
                input[i] = (float) random.nextGaussian() * 1e-3f;
            }
        }
        return inputs;
    }

    /** Runs of rank 0's own segment (segment 0, which it sends first, as is), as they travel: little-endian. */
    private static byte[][] probes(float[] gradient) {
        ByteBuffer bytes = ByteBuffer.allocate(LENGTH / 2 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(gradient, 0, LENGTH / 2);
        byte[][] probes = new byte[PROBES][PROBE_BYTES];
        int stride = (bytes.capacity() - PROBE_BYTES) / PROBES;
        for (int p = 0; p < PROBES; p++) {
            bytes.get(p * stride, probes[p]);
        }
        return probes;
    }

    private static int found(byte[] capture, byte[][] probes) {
        int found = 0;
        for (byte[] probe : probes) {
            if (indexOf(capture, probe) >= 0) {
                found++;
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
