package io.swarmgate.qoe;

import io.swarmgate.SettableClock;

import static io.swarmgate.qoe.QoeFixture.T0;
import static io.swarmgate.qoe.QoeFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clean stop writes what is in memory; a restart reads it back and keeps adding to it. */
class QoeRestartTest {

    @TempDir
    Path tmp;

    @Test
    void historySurvivesARestartIncludingTheMinuteThatWasOpenAtTheStop() throws Exception {
        SettableClock clock = SettableClock.at(T0.plusSeconds(10));
        try (QoeFixture f = new QoeFixture(tmp, clock, 100_000)) {
            f.aggregator.accept("s", "paris", "a", report(1000, 3000, 0, 10_000, 900L));
            clock.set(T0.plusSeconds(70));
            f.aggregator.accept("s", "paris", "a", report(1000, 1000, 0, 10_000, null));
            clock.set(T0.plusSeconds(80));
            // close() without a flush of the open minute: the stop must write it.
        }
        try (QoeFixture f = new QoeFixture(tmp, clock, 100_000)) {
            clock.set(T0.plusSeconds(90));
            f.aggregator.accept("s", "paris", "b", report(2000, 0, 0, 10_000, null));
            clock.set(T0.plusSeconds(130));
            f.aggregator.flush();

            QoeQueries.History h = f.queries.history(T0, T0.plusSeconds(120), QoeQueries.Step.MINUTE, null, null);
            assertEquals(4000, h.overall().httpBytes());
            assertEquals(4000, h.overall().p2pBytes());
            assertEquals(1, h.overall().startups());
            assertEquals(3000, h.points().get(1).figures().httpBytes(), "the minute split by the restart adds up");
            assertEquals(3, h.overall().reports());
        }
    }
}
