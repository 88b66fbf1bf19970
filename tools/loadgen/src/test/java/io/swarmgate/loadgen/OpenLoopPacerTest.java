package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The schedule on a fake clock: every wait and every stall is exact, and nothing really sleeps. */
class OpenLoopPacerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 1_000_000_000L;

    /** Time moves only when the pacer parks or an event says it took a while. */
    private static final class FakeTicker implements OpenLoopPacer.Ticker {
        long now = START;
        /** The share of a requested wait that actually passes; below 1 imitates parkNanos returning early. */
        double parkShare = 1.0;
        final List<Long> parks = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkNanos(long nanos) {
            parks.add(nanos);
            now += Math.max(1, (long) (nanos * parkShare));
        }

        void advance(long nanos) {
            now += nanos;
        }
    }

    @Test
    void intendedTimesAreStartPlusKOverRate() {
        OpenLoopPacer pacer = new OpenLoopPacer(1_000, 500);
        assertEquals(1_000, pacer.intendedNanos(0));
        assertEquals(1_000 + 2_000_000, pacer.intendedNanos(1));
        assertEquals(1_000 + 2_000_000_000L, pacer.intendedNanos(1000));
        assertEquals(1_000 + 333_333_333, new OpenLoopPacer(1_000, 3).intendedNanos(1));
        assertEquals(1_000 + 1_000_000_000, new OpenLoopPacer(1_000, 3).intendedNanos(3), "no drift from rounding");
    }

    @Test
    void eventsFireExactlyAtTheirIntendedTimesAndTheWaitsAreTheGaps() {
        FakeTicker clock = new FakeTicker();
        List<Long> fired = new ArrayList<>();
        long count = new OpenLoopPacer(START, 1000, clock).run(5, Long.MAX_VALUE, () -> false, (k, due) -> {
            assertEquals(START + k * MS, due);
            fired.add(clock.nanoTime());
            return true;
        });
        assertEquals(5, count);
        assertEquals(List.of(START, START + MS, START + 2 * MS, START + 3 * MS, START + 4 * MS), fired);
        assertEquals(List.of(MS, MS, MS, MS), clock.parks, "one wait of one period between events");
    }

    @Test
    void aSlowEventDoesNotShiftTheScheduleOfTheOnesAfterIt() {
        FakeTicker clock = new FakeTicker();
        List<Long> intended = new ArrayList<>();
        List<Long> fired = new ArrayList<>();
        long count = new OpenLoopPacer(START, 1000, clock).run(80, Long.MAX_VALUE, () -> false, (k, due) -> {
            intended.add(due);
            fired.add(clock.nanoTime());
            if (k == 0) {
                clock.advance(50 * MS); // the generator stalls for 50 events' worth
            }
            return true;
        });
        assertEquals(80, count);
        long stallEnd = START + 50 * MS;
        for (int k = 0; k < 80; k++) {
            assertEquals(START + k * MS, intended.get(k), "event " + k + " keeps its intended time");
            // Event 0 stalls; 1..50 were due during the stall and fire at once when it ends, late by
            // what the stall cost them (so their latency includes it); from 51 on the schedule is exact.
            long expected = k == 0 ? START : Math.max(START + k * MS, stallEnd);
            assertEquals(expected, fired.get(k), "event " + k + " fired");
        }
        assertEquals(49 * MS, fired.get(1) - intended.get(1), "event 1 is late by the stall");
        assertEquals(29, clock.parks.size(), "no waiting while behind: only events 51..79 were waited for");
    }

    @Test
    void aWaitThatReturnsEarlyIsResumedAndNothingFiresEarly() {
        FakeTicker clock = new FakeTicker();
        clock.parkShare = 0.3;
        List<Long> lateness = new ArrayList<>();
        long count = new OpenLoopPacer(START, 100, clock).run(4, Long.MAX_VALUE, () -> false, (k, due) -> {
            lateness.add(clock.nanoTime() - due);
            return true;
        });
        assertEquals(4, count);
        for (long late : lateness) {
            assertTrue(late >= 0, "never fired early: " + lateness);
        }
        assertTrue(clock.parks.size() > 3, "short waits were repeated: " + clock.parks);
    }

    @Test
    void stopsBeforeTheFirstEventDueAtTheEnd() {
        FakeTicker clock = new FakeTicker();
        long fired = new OpenLoopPacer(START, 100, clock).run(Long.MAX_VALUE, START + 100 * MS, () -> false,
                (k, due) -> true);
        assertEquals(10, fired, "events at 0, 10, …, 90 ms; the one due at 100 ms is not fired");
        assertEquals(START + 90 * MS, clock.nanoTime(), "and the pacer does not wait for it");
    }

    @Test
    void theStopFlagEndsTheRunWhileItWaits() {
        FakeTicker clock = new FakeTicker();
        long stopAt = START + 25 * MS;
        long fired = new OpenLoopPacer(START, 100, clock).run(Long.MAX_VALUE, Long.MAX_VALUE,
                () -> clock.nanoTime() >= stopAt, (k, due) -> true);
        assertEquals(3, fired, "events at 0, 10 and 20 ms; the flag, checked when the wait for 30 ms ends, stops it");
    }

    @Test
    void stopFlagAndEventCanEndTheRun() {
        FakeTicker clock = new FakeTicker();
        assertEquals(0, new OpenLoopPacer(START, 100, clock).run(5, Long.MAX_VALUE, () -> true, (k, due) -> true));
        assertEquals(3, new OpenLoopPacer(START, 10_000, clock).run(5, Long.MAX_VALUE, () -> false,
                (k, due) -> k < 2));
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopPacer(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopPacer(0, Double.NaN));
    }
}
