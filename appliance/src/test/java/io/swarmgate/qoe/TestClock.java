package io.swarmgate.qoe;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand; shared with the aggregator's flusher thread. */
final class TestClock extends Clock {

    private volatile long millis;

    TestClock(Instant start) {
        this.millis = start.toEpochMilli();
    }

    void set(Instant t) {
        millis = t.toEpochMilli();
    }

    void advanceSeconds(long s) {
        millis += s * 1000;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
