package io.swarmgate.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulation's clock: it moves only when the simulation takes the next event, so the
 * coordinator's resume grace and failure blocks run on simulated time and nothing sleeps.
 * Confined to the simulation's one thread.
 */
final class SimClock extends Clock {

    /** 2026-01-01T00:00:00Z: the event starts here; simulated times are millis after it. */
    static final long EPOCH = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private long elapsed;

    /** Milliseconds since the start of the event. */
    long elapsed() {
        return elapsed;
    }

    void moveTo(long elapsedMillis) {
        if (elapsedMillis < elapsed) {
            throw new IllegalStateException("simulated time cannot go back from " + elapsed + " to " + elapsedMillis);
        }
        elapsed = elapsedMillis;
    }

    @Override
    public long millis() {
        return EPOCH + elapsed;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the simulated clock is UTC only");
    }
}
