package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OpenLoopPacerTest {

    @Test
    void intendedTimesAreStartPlusKOverRate() {
        OpenLoopPacer pacer = new OpenLoopPacer(1_000, 500);
        assertEquals(1_000, pacer.intendedNanos(0));
        assertEquals(1_000 + 2_000_000, pacer.intendedNanos(1));
        assertEquals(1_000 + 2_000_000_000L, pacer.intendedNanos(1000));
        assertEquals(1_000 + 1_000_000_000L / 3 * 1000 / 1000, new OpenLoopPacer(1_000, 3).intendedNanos(1), 1);
    }

    @Test
    @Timeout(10)
    void aSlowEventDoesNotShiftTheScheduleOfTheOnesAfterIt() {
        long start = System.nanoTime();
        OpenLoopPacer pacer = new OpenLoopPacer(start, 1000); // one event per ms
        List<Long> intended = new ArrayList<>();
        List<Long> fired = new ArrayList<>();
        long count = pacer.run(20, Long.MAX_VALUE, () -> false, (k, due) -> {
            intended.add(due);
            fired.add(System.nanoTime());
            if (k == 0) {
                sleep(50); // the generator stalls for 50 events' worth
            }
            return true;
        });
        assertEquals(20, count);
        for (int k = 0; k < 20; k++) {
            assertEquals(start + k * 1_000_000L, intended.get(k), "event " + k + " keeps its intended time");
            assertTrue(fired.get(k) >= intended.get(k), "never fired early");
        }
        // The events the stall delayed fired late, i.e. their latency will include the stall.
        assertTrue(fired.get(1) - intended.get(1) >= TimeUnit.MILLISECONDS.toNanos(40));
    }

    @Test
    @Timeout(10)
    void stopsBeforeTheFirstEventDueAtTheEnd() {
        long start = System.nanoTime();
        long fired = new OpenLoopPacer(start, 100).run(Long.MAX_VALUE, start + TimeUnit.MILLISECONDS.toNanos(100),
                () -> false, (k, due) -> true);
        assertEquals(10, fired);
    }

    @Test
    @Timeout(10)
    void stopFlagAndEventCanEndTheRun() {
        long start = System.nanoTime();
        assertEquals(0, new OpenLoopPacer(start, 100).run(5, Long.MAX_VALUE, () -> true, (k, due) -> true));
        assertEquals(3, new OpenLoopPacer(start, 10_000).run(5, Long.MAX_VALUE, () -> false, (k, due) -> k < 2));
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopPacer(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopPacer(0, Double.NaN));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
