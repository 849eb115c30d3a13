package dptrain.driver.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One {@code deploy/submit.sh} run: the driver JVM and its log (stdout and stderr together). */
record Submission(Process driver, Path log) {

    /** Generous: a guard against a hung driver, not a performance limit. */
    static final Duration RUN_LIMIT = Duration.ofMinutes(5);

    /** Waits for the driver to exit and returns its status; a driver still running after the limit fails the test. */
    int awaitExit() throws InterruptedException {
        if (!driver.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
            throw new AssertionError("the driver did not exit within " + RUN_LIMIT.toMinutes() + " min\n"
                    + StandaloneCluster.tail(log));
        }
        return driver.exitValue();
    }

    /** Waits for a successful exit. */
    void awaitSuccess() throws InterruptedException {
        int status = awaitExit();
        if (status != 0) {
            throw new AssertionError("the driver exited with status " + status + "\n" + StandaloneCluster.tail(log));
        }
    }

    String output() {
        return StandaloneCluster.read(log);
    }

    /** SIGKILL, as a pre-empted or crashed driver host would do, and wait until the JVM is gone. */
    void kill() throws InterruptedException {
        driver.destroyForcibly();
        driver.waitFor();
    }
}
