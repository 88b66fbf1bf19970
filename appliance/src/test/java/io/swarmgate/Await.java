package io.swarmgate;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition instead of sleeping for a guessed time: polls with short parks until the
 * condition holds, and fails naming what was awaited once the timeout has passed. The timeout is
 * a bound on a hung test, not a speed requirement: keep it generous.
 */
public final class Await {

    private static final long PARK_NANOS = Duration.ofMillis(10).toNanos();

    private Await() {
    }

    /** Returns once {@code condition} is true; throws {@link AssertionError} after {@code timeout}. */
    public static void until(String description, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + description);
            }
            LockSupport.parkNanos(PARK_NANOS);
        }
    }
}
