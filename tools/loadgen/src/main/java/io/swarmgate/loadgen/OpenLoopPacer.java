package io.swarmgate.loadgen;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Issues events at a fixed rate by their <em>intended</em> time: event {@code k} is due at
 * {@code start + k / rate}, whatever happened to the earlier ones. When the generator falls
 * behind (a slow send, a GC pause) it catches up by firing the late events at once, and the
 * event is still handed its intended time — so latencies measured from it include the delay
 * and queueing is not hidden (no coordinated omission). Runs on the calling thread.
 */
public final class OpenLoopPacer {

    private final long startNanos;
    private final double periodNanos;

    /** @param ratePerSecond events per second, above zero */
    public OpenLoopPacer(long startNanos, double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be above zero: " + ratePerSecond);
        }
        this.startNanos = startNanos;
        this.periodNanos = 1e9 / ratePerSecond;
    }

    /** When event {@code k} (0-based) is due, on the {@link System#nanoTime()} clock. */
    public long intendedNanos(long k) {
        return startNanos + Math.round(k * periodNanos);
    }

    /**
     * Fires events 0, 1, 2, … at their intended times until {@code count} were fired, the
     * next one would be due at or after {@code endNanos} ({@code Long.MAX_VALUE}: no end), or
     * {@code stop} says so. {@code event} receives the intended time of the event.
     *
     * @return how many events were fired
     */
    public long run(long count, long endNanos, BooleanSupplier stop, Event event) {
        long k = 0;
        while (k < count && !stop.getAsBoolean()) {
            long due = intendedNanos(k);
            if (due - endNanos >= 0 && endNanos != Long.MAX_VALUE) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue; // parkNanos may return early: re-check the clock and the stop flag
            }
            boolean more = event.fire(k, due);
            k++;
            if (!more) {
                break;
            }
        }
        return k;
    }

    /** One paced event. */
    @FunctionalInterface
    public interface Event {
        /**
         * @param k             the event's number, from 0
         * @param intendedNanos when it was due, on the {@link System#nanoTime()} clock
         * @return false to stop pacing
         */
        boolean fire(long k, long intendedNanos);
    }
}
