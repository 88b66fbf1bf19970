package io.swarmgate.qoe;

import io.swarmgate.SettableClock;

import static io.swarmgate.qoe.QoeFixture.T0;
import static io.swarmgate.qoe.QoeFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports reach the database as a few batched upserts, never a row per report. */
class QoeBatchWriteTest {

    @TempDir
    Path tmp;

    private static long[] sums(QoeFixture f) throws Exception {
        try (Connection c = f.database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(reports), SUM(http_bytes), SUM(p2p_bytes) FROM qoe_minute")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
        }
    }

    @Test
    void tenThousandReportsAreWrittenInOneBatchPerFlush() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            int flushCalls = 0;
            long http = 0;
            // 500 viewers in 5 streams × 10 sites, reporting every 10 s for 200 s: 10,000 reports.
            for (int tick = 0; tick < 20; tick++) {
                f.clock.set(T0.plusSeconds(10L * tick + 1));
                for (int v = 0; v < 500; v++) {
                    f.aggregator.accept("stream-" + v % 5, "site-" + v / 5 % 10, "peer-" + v,
                            report(1000 + v, 2000, 0, 10_000, tick == 0 ? 800L : null));
                    http += 1000 + v;
                }
                f.aggregator.flush();
                flushCalls++;
            }
            f.clock.set(T0.plusSeconds(260));
            f.aggregator.flush();
            flushCalls++;

            assertEquals(10_000, f.aggregator.reportsAccepted());
            // Minutes 0..3 each close once: four batches for 21 flush calls and 10,000 reports.
            assertEquals(4, f.repository.batchExecutions(), "batch executions for " + flushCalls + " flushes");
            assertEquals(4, f.aggregator.flushes());
            long[] stored = sums(f);
            assertEquals(4 * 50, stored[0], "one row per stream, site and minute");
            assertEquals(10_000, stored[1]);
            assertEquals(http, stored[2]);
            assertEquals(20_000_000, stored[3]);
            QoeQueries.History h = f.queries.history(T0, T0.plusSeconds(240), QoeQueries.Step.MINUTE, null, null);
            assertEquals(500L, h.overall().peakViewers());
            assertEquals(500, h.overall().startups());
        }
    }

    @Test
    void aReportLandingAfterItsMinuteWasWrittenIsAddedToTheStoredRow() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            f.clock.set(T0.plusSeconds(50));
            f.aggregator.accept("s", "paris", "a", report(100, 0, 0, 10_000, null));
            f.clock.set(T0.plusSeconds(70));
            assertEquals(1, f.aggregator.flush());
            // A connection thread that read the clock just before the minute ended adds late.
            f.clock.set(T0.plusSeconds(59));
            f.aggregator.accept("s", "paris", "b", report(50, 0, 0, 10_000, null));
            f.clock.set(T0.plusSeconds(80));
            assertEquals(1, f.aggregator.flush());
            assertEquals(0, f.aggregator.flush(), "nothing new: nothing written");

            long[] stored = sums(f);
            assertEquals(1, stored[0]);
            assertEquals(2, stored[1]);
            assertEquals(150, stored[2]);
        }
    }

    @Test
    void whileTheDatabaseIsDownUnwrittenMinutesAreKeptUpToTheCapThenTheOldestDropped() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, SettableClock.at(T0), 1000)) {
            f.database.close();
            for (int minute = 0; minute < 5; minute++) {
                f.clock.set(T0.plusSeconds(60L * minute + 1));
                for (int site = 0; site < 300; site++) {
                    f.aggregator.accept("s", "site-" + site, "p" + site, report(1, 1, 0, 10_000, null));
                }
                f.clock.set(T0.plusSeconds(60L * minute + 30));
                assertEquals(0, f.aggregator.flush());
            }
            assertTrue(f.aggregator.failedFlushes() >= 4);
            assertTrue(f.aggregator.bucketsInMemory() <= 1000, "held " + f.aggregator.bucketsInMemory());
            assertTrue(f.aggregator.rowsDropped() > 0);
            assertEquals(1500, f.aggregator.reportsAccepted(), "the newest minutes are never refused");
        }
    }
}
