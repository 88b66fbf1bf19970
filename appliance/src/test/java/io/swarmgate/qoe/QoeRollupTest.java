package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeFixture.T0;
import static io.swarmgate.qoe.QoeFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Minute rows summed into hours, and both pruned by their retention on an injected clock. */
class QoeRollupTest {

    @TempDir
    Path tmp;

    private static long query(QoeFixture f, String sql) throws Exception {
        try (Connection c = f.database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Two hours (10:00–11:59) of one report a minute in paris, and in berlin a second viewer every other minute. */
    private static void feedTwoHours(QoeFixture f) {
        for (int m = 0; m < 120; m++) {
            f.clock.set(T0.plusSeconds(60L * m + 10));
            f.aggregator.accept("s", "paris", "a", report(1000, 3000, m == 7 ? 500 : 0, 10_000, m == 0 ? 700L : null));
            f.aggregator.accept("s", "berlin", "b", report(2000, 0, 0, 10_000, null));
            if (m % 2 == 0) {
                f.aggregator.accept("s", "berlin", "c", report(2000, 0, 0, 10_000, null));
            }
            f.clock.set(T0.plusSeconds(60L * m + 30));
            f.aggregator.flush();
        }
    }

    @Test
    void completeHoursAreSummedFromTheirMinutes() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            feedTwoHours(f);
            f.clock.set(T0.plus(Duration.ofMinutes(121)));
            f.aggregator.flush();
            QoeRollup rollup = f.rollup(90, 730);

            assertEquals(1, rollup.run().hoursRolled(), "11:00 is not complete until two minutes after 12:00");
            f.clock.set(T0.plus(Duration.ofMinutes(123)));
            rollup.run();

            assertEquals(4, query(f, "SELECT COUNT(*) FROM qoe_hour"));
            assertEquals(query(f, "SELECT SUM(http_bytes) FROM qoe_minute"), query(f, "SELECT SUM(http_bytes) FROM qoe_hour"));
            assertEquals(query(f, "SELECT SUM(reports) FROM qoe_minute"), query(f, "SELECT SUM(reports) FROM qoe_hour"));
            assertEquals(60 * 3000, query(f, "SELECT p2p_bytes FROM qoe_hour WHERE site = 'paris' AND hour_start = "
                    + T0.getEpochSecond()));
            assertEquals(2, query(f, "SELECT viewers FROM qoe_hour WHERE site = 'berlin' AND hour_start = "
                    + T0.getEpochSecond()), "hourly viewers: the busiest minute");
            assertEquals(90, query(f, "SELECT viewer_minutes FROM qoe_hour WHERE site = 'berlin' AND hour_start = "
                    + T0.getEpochSecond()));
            assertEquals(1, query(f, "SELECT startup_le_1000 FROM qoe_hour WHERE site = 'paris' AND hour_start = "
                    + T0.getEpochSecond()));

            // Read through the hourly table: a range over two days.
            QoeQueries.History h = f.queries.history(T0.minus(Duration.ofDays(2)), T0.plus(Duration.ofHours(2)),
                    QoeQueries.Step.MINUTE, null, null);
            assertEquals(QoeQueries.Step.HOUR, h.source());
            assertEquals(360_000.0 / 840_000, h.overall().peerEfficiency(), 1e-9);
            assertEquals(500.0 / (240 * 10_000 + 60 * 10_000), h.overall().rebufferRatio(), 1e-12);
            assertEquals(3L, h.overall().peakViewers());
            QoeFigures tenOClock = h.points().get(48).figures();
            assertEquals(150.0 / 60, tenOClock.viewers(), 1e-9, "viewer-minutes over the hour");
        }
    }

    @Test
    void anHourRolledAgainAfterLateMinutesIsRecomputedNotDoubled() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            feedTwoHours(f);
            f.clock.set(T0.plus(Duration.ofMinutes(125)));
            f.aggregator.flush();
            QoeRollup rollup = f.rollup(90, 730);
            rollup.run();
            rollup.run();
            assertEquals(query(f, "SELECT SUM(http_bytes) FROM qoe_minute"), query(f, "SELECT SUM(http_bytes) FROM qoe_hour"));
        }
    }

    @Test
    void rowsPastTheirRetentionArePruned() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            feedTwoHours(f);
            f.clock.set(T0.plus(Duration.ofMinutes(125)));
            f.aggregator.flush();
            QoeRollup rollup = f.rollup(90, 730);
            rollup.run();
            assertEquals(240, query(f, "SELECT COUNT(*) FROM qoe_minute"), "two sites × 120 minutes");

            f.clock.set(T0.plus(Duration.ofDays(90)).plusSeconds(3600));
            QoeRollup.Result r = rollup.run();
            assertEquals(120, r.minuteRowsPruned(), "10:00–10:59, 90 days and an hour ago, are gone");
            assertEquals(120, query(f, "SELECT COUNT(*) FROM qoe_minute"));
            assertEquals(4, query(f, "SELECT COUNT(*) FROM qoe_hour"), "hours are kept longer");

            f.clock.set(T0.plus(Duration.ofDays(731)));
            r = rollup.run();
            assertEquals(120, r.minuteRowsPruned());
            assertEquals(4, r.hourRowsPruned());
            assertEquals(0, query(f, "SELECT COUNT(*) FROM qoe_hour"));
        }
    }
}
