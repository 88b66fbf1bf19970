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
    private final Ticker ticker;

    /** @param ratePerSecond events per second, above zero; times are on the {@link System#nanoTime()} clock */
    public OpenLoopPacer(long startNanos, double ratePerSecond) {
        this(startNanos, ratePerSecond, Ticker.SYSTEM);
    }

    /**
     * @param ratePerSecond events per second, above zero
     * @param ticker        the clock {@code startNanos} and the intended times are on, and how to wait on it
     */
    OpenLoopPacer(long startNanos, double ratePerSecond, Ticker ticker) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be above zero: " + ratePerSecond);
        }
        this.startNanos = startNanos;
        this.periodNanos = 1e9 / ratePerSecond;
        this.ticker = ticker;
    }

    /** When event {@code k} (0-based) is due, on the ticker's clock. */
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
            long wait = due - ticker.nanoTime();
            if (wait > 0) {
                ticker.parkNanos(wait);
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

    /**
     * The pacer's time: {@link System#nanoTime()} and {@link LockSupport#parkNanos(long)} in a run;
     * tests pass a fake so that they check the schedule without sleeping.
     */
    interface Ticker {
        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void parkNanos(long nanos) {
                LockSupport.parkNanos(nanos);
            }
        };

        long nanoTime();

        /** Waits about {@code nanos}; may return early (the pacer re-checks the clock). */
        void parkNanos(long nanos);
    }

    /** One paced event. */
    @FunctionalInterface
    public interface Event {
        /**
         * @param k             the event's number, from 0
         * @param intendedNanos when it was due, on the pacer's clock
         * @return false to stop pacing
         */
        boolean fire(long k, long intendedNanos);
    }
}
