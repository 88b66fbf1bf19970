package io.swarmgate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand; shared between the test thread and Jetty's threads. */
public final class SettableClock extends Clock {

    private volatile long millis;

    public SettableClock(long millis) {
        this.millis = millis;
    }

    public void set(long millis) {
        this.millis = millis;
    }

    public static SettableClock at(java.time.Instant start) {
        return new SettableClock(start.toEpochMilli());
    }

    public void set(java.time.Instant t) {
        this.millis = t.toEpochMilli();
    }

    public void advanceSeconds(long seconds) {
        this.millis += seconds * 1000;
    }

    public void advance(long deltaMillis) {
        this.millis += deltaMillis;
    }

    public void advance(java.time.Duration step) {
        this.millis += step.toMillis();
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
