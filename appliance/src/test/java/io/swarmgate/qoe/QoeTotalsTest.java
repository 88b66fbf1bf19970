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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-summed total rows (V5__qoe_totals.sql) always equal the sums of their detail rows, per
 * stream, per site and overall, and the coarse breakdown rows (V6__qoe_breakdown_totals.sql) the
 * sums of the totals per hour and per day, through repeated flushes of one minute, late reports,
 * restarts, the hourly rollup and pruning; and history answers read from them match the detail rows.
 */
class QoeTotalsTest {

    private static final String[] STREAMS = {"live", "town-hall"};
    private static final String[] SITES = {"paris", "berlin", "auto:10.1.0.0/16"};

    @TempDir
    Path tmp;

    /** One report per stream × site × peer, with figures that differ by all three. */
    private static void feed(QoeFixture f, int peers, long salt) {
        for (int st = 0; st < STREAMS.length; st++) {
            for (int si = 0; si < SITES.length; si++) {
                for (int p = 0; p < peers; p++) {
                    long x = salt + 100L * st + 10L * si + p;
                    f.aggregator.accept(STREAMS[st], SITES[si], "peer-" + st + "-" + si + "-" + p,
                            report(1000 + x, 3000 + 2 * x, x % 3 == 0 ? 200 : 0, 10_000, x % 4 == 0 ? 600 + x : null));
                }
            }
        }
    }

    /**
     * Asserts that {@code table}_total holds exactly the (stream, '*'), ('*', site) and ('*', '*')
     * sums of {@code table}'s rows, every column, and nothing else.
     */
    static void assertTotalsMatchDetail(QoeFixture f, String table, String time) throws Exception {
        String sums = "SUM(viewers), SUM(viewer_minutes), " + QoeColumns.list("SUM");
        String expected = "SELECT stream_id, '*', " + time + ", " + sums + " FROM " + table + " GROUP BY stream_id, " + time
                + " UNION ALL SELECT '*', site, " + time + ", " + sums + " FROM " + table + " GROUP BY site, " + time
                + " UNION ALL SELECT '*', '*', " + time + ", " + sums + " FROM " + table + " GROUP BY " + time;
        String actual = "SELECT stream_id, site, " + time + ", viewers, viewer_minutes, " + QoeColumns.list(null)
                + " FROM " + table + "_total";
        Map<String, String> want = rows(f, expected);
        Map<String, String> got = rows(f, actual);
        assertTrue(!want.isEmpty(), "the scenario wrote rows to " + table);
        assertEquals(want, got, table + "_total equals the sums of " + table);
    }

    /**
     * Asserts that {@code table}'s coarse breakdown rows hold exactly its per-stream and per-site
     * total rows summed per hour (minutes) or day (hours), every column, and nothing else.
     */
    static void assertCoarseMatchTotals(QoeFixture f, QoeTable table) throws Exception {
        String period = table.time + " / " + table.coarseSeconds + " * " + table.coarseSeconds;
        String expected = "SELECT stream_id, site, " + period + ", SUM(viewer_minutes), " + QoeColumns.list("SUM")
                + " FROM " + table.totals + " WHERE NOT (stream_id = '*' AND site = '*') GROUP BY stream_id, site, " + period;
        String actual = "SELECT stream_id, site, " + table.coarseTime + ", viewer_minutes, " + QoeColumns.list(null)
                + " FROM " + table.coarse;
        assertEquals(rows(f, expected), rows(f, actual), table.coarse + " equals the sums of " + table.totals);
    }

    private static Map<String, String> rows(QoeFixture f, String sql) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = f.database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                long[] v = new long[n - 3];
                for (int i = 4; i <= n; i++) {
                    v[i - 4] = rs.getLong(i);
                }
                out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3), Arrays.toString(v));
            }
        }
        return out;
    }

    private static long query(QoeFixture f, String sql) throws Exception {
        try (Connection c = f.database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aMinuteFlushedTwiceAndLateReportsKeepTheTotalsEqualToTheDetail() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            f.clock.set(T0.plusSeconds(10));
            feed(f, 2, 0);
            f.clock.set(T0.plusSeconds(70));
            feed(f, 1, 7);                          // minute 1, still open
            assertTrue(f.aggregator.flush() > 0);    // writes minute 0
            assertTotalsMatchDetail(f, "qoe_minute", "minute_start");

            // A report that read the clock before 10:01 and is added after minute 0 was written.
            f.clock.set(T0.plusSeconds(59));
            feed(f, 3, 13);
            f.clock.set(T0.plusSeconds(130));
            f.aggregator.flush();                   // minute 0 again (increments) and minute 1
            assertTotalsMatchDetail(f, "qoe_minute", "minute_start");
            assertEquals(STREAMS.length * SITES.length * 2, query(f, "SELECT COUNT(*) FROM qoe_minute"));
            assertEquals((STREAMS.length + SITES.length + 1) * 2, query(f, "SELECT COUNT(*) FROM qoe_minute_total"));
            // Viewers as before: distinct peers are counted while the minute is open (2 per pair);
            // the late batch adds its counters but not its peers (QoeAggregator.Bucket#closeMinute).
            assertEquals(2L * STREAMS.length * SITES.length, query(f, "SELECT viewers FROM qoe_minute_total"
                    + " WHERE stream_id = '*' AND site = '*' AND minute_start = " + T0.getEpochSecond()));
            assertHistoryMatchesDetail(f, T0, T0.plusSeconds(120), QoeQueries.Step.MINUTE);
        }
    }

    @Test
    void aRestartInTheMiddleOfAMinuteAddsToTheSameTotals() throws Exception {
        SettableClock clock = SettableClock.at(T0.plusSeconds(10));
        try (QoeFixture f = new QoeFixture(tmp, clock, 100_000)) {
            feed(f, 2, 0);
            clock.set(T0.plusSeconds(20));
            // close() writes the open minute
        }
        try (QoeFixture f = new QoeFixture(tmp, clock, 100_000)) {
            clock.set(T0.plusSeconds(30));
            feed(f, 2, 5);                          // the same peers again, after the restart
            clock.set(T0.plusSeconds(70));
            f.aggregator.flush();
            assertTotalsMatchDetail(f, "qoe_minute", "minute_start");
            assertHistoryMatchesDetail(f, T0, T0.plusSeconds(60), QoeQueries.Step.MINUTE);
        }
    }

    @Test
    void hourTotalsAreRolledUpAlongWithTheHoursAndPrunedWithThem() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            for (int m = 0; m < 120; m++) {
                f.clock.set(T0.plusSeconds(60L * m + 10));
                feed(f, 1 + m % 3, m);
                f.clock.set(T0.plusSeconds(60L * m + 30));
                f.aggregator.flush();
            }
            f.clock.set(T0.plus(Duration.ofMinutes(123)));
            f.aggregator.flush();
            QoeRollup rollup = f.rollup(90, 730);
            assertEquals(2, rollup.run().hoursRolled());
            assertTotalsMatchDetail(f, "qoe_minute", "minute_start");
            assertTotalsMatchDetail(f, "qoe_hour", "hour_start");
            // Peak semantics unchanged: an hour's total viewers is the sum of each (stream, site)'s busiest minute.
            assertEquals(3L * STREAMS.length * SITES.length, query(f, "SELECT viewers FROM qoe_hour_total"
                    + " WHERE stream_id = '*' AND site = '*' AND hour_start = " + T0.getEpochSecond()));

            // A late minute for 10:00 arrives after the hour was rolled up: the next run re-rolls it.
            f.clock.set(T0.plusSeconds(59 * 60 + 50));
            feed(f, 4, 999);
            f.clock.set(T0.plus(Duration.ofMinutes(124)));
            f.aggregator.flush();
            rollup.run();
            assertTotalsMatchDetail(f, "qoe_hour", "hour_start");
            assertHistoryMatchesDetail(f, T0, T0.plus(Duration.ofHours(2)), QoeQueries.Step.MINUTE);
            assertHistoryMatchesDetail(f, T0, T0.plus(Duration.ofDays(3)), QoeQueries.Step.HOUR);

            // Minutes kept one day, hours 730: the minute totals go with their minutes.
            f.clock.set(T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(3)));
            f.rollup(1, 730).run();
            assertEquals(0, query(f, "SELECT COUNT(*) FROM qoe_minute"));
            assertEquals(0, query(f, "SELECT COUNT(*) FROM qoe_minute_total"));
            assertTotalsMatchDetail(f, "qoe_hour", "hour_start");
        }
    }

    @Test
    void breakdownTotalsPerHourAndDayEqualTheTotalsThroughFlushesRollupsAndPruning() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            // 10:20 to 12:50: the first and last hours are partial.
            for (int m = 20; m < 170; m++) {
                f.clock.set(T0.plusSeconds(60L * m + 10));
                feed(f, 1 + m % 2, m);
                f.clock.set(T0.plusSeconds(60L * m + 30));
                f.aggregator.flush();
            }
            // A late report for 11:59, written after 12:00 was.
            f.clock.set(T0.plusSeconds(119 * 60 + 50));
            feed(f, 2, 4242);
            f.clock.set(T0.plus(Duration.ofMinutes(173)));
            f.aggregator.flush();
            assertCoarseMatchTotals(f, QoeTable.MINUTE);
            assertEquals((STREAMS.length + SITES.length) * 3L, query(f, "SELECT COUNT(*) FROM qoe_minute_total_by_hour"));
            assertEquals(2, f.rollup(90, 730).run().hoursRolled());   // 12:00 is not complete yet
            assertCoarseMatchTotals(f, QoeTable.HOUR);
            assertEquals(STREAMS.length + SITES.length, query(f, "SELECT COUNT(*) FROM qoe_hour_total_by_day"));

            // Ranges with partial hours (or days) at both ends and whole ones between.
            Instant from = T0.plusSeconds(25 * 60 + 17);
            assertHistoryMatchesDetail(f, from, T0.plusSeconds(161 * 60), QoeQueries.Step.MINUTE);
            assertHistoryMatchesDetail(f, from, T0.plusSeconds(161 * 60), QoeQueries.Step.HOUR);
            assertHistoryMatchesDetail(f, T0.minus(Duration.ofDays(2)), T0.plus(Duration.ofDays(2)), QoeQueries.Step.HOUR);

            // One day of minutes and of hours kept, cut at 11:30: the hour and the day the cut-off falls
            // in are recomputed from the rows that remain.
            f.clock.set(T0.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(90)));
            QoeRollup.Result pruned = f.rollup(1, 1).run();
            assertTrue(pruned.minuteRowsPruned() > 0 && pruned.hourRowsPruned() > 0);
            assertCoarseMatchTotals(f, QoeTable.MINUTE);
            assertCoarseMatchTotals(f, QoeTable.HOUR);
            assertEquals(2L * (STREAMS.length + SITES.length), query(f, "SELECT COUNT(*) FROM qoe_minute_total_by_hour"));
            assertEquals(STREAMS.length + SITES.length, query(f, "SELECT COUNT(*) FROM qoe_hour_total_by_day"));
            assertHistoryMatchesDetail(f, T0, T0.plus(Duration.ofHours(3)), QoeQueries.Step.MINUTE);
            assertHistoryMatchesDetail(f, T0.minus(Duration.ofDays(2)), T0.plus(Duration.ofDays(2)), QoeQueries.Step.HOUR);
        }
    }

    @Test
    void aLiteralStarIsNeverStoredAsAStreamOrSite() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            f.clock.set(T0.plusSeconds(10));
            f.aggregator.accept("*", "*", "p", report(1000, 0, 0, 10_000, null));
            f.aggregator.accept("live", "paris", "q", report(500, 0, 0, 10_000, null));
            f.clock.set(T0.plusSeconds(70));
            f.aggregator.flush();
            assertEquals(0, query(f, "SELECT COUNT(*) FROM qoe_minute WHERE stream_id = '*' OR site = '*'"));
            assertTotalsMatchDetail(f, "qoe_minute", "minute_start");
            assertEquals(1500, f.queries.history(T0, T0.plusSeconds(60), QoeQueries.Step.MINUTE, null, null)
                    .overall().httpBytes());
        }
    }

    /**
     * For every filter (none, each stream, each site, both), the history's points, overall figures
     * and breakdowns equal what summing the detail rows gives.
     */
    private static void assertHistoryMatchesDetail(QoeFixture f, Instant from, Instant to, QoeQueries.Step step)
            throws Exception {
        List<String[]> filters = new ArrayList<>();
        filters.add(new String[] {null, null});
        for (String st : STREAMS) {
            filters.add(new String[] {st, null});
            for (String si : SITES) {
                filters.add(new String[] {st, si});
            }
        }
        for (String si : SITES) {
            filters.add(new String[] {null, si});
        }
        for (String[] filter : filters) {
            QoeQueries.History h = f.queries.history(from, to, step, filter[0], filter[1]);
            boolean hours = h.source() == QoeQueries.Step.HOUR;
            String table = hours ? "qoe_hour" : "qoe_minute";
            String time = hours ? "hour_start" : "minute_start";
            long stepSeconds = h.step().seconds();
            String where = " WHERE " + time + " >= " + h.from().getEpochSecond() + " AND " + time + " < "
                    + h.to().getEpochSecond() + (filter[0] == null ? "" : " AND stream_id = '" + filter[0] + "'")
                    + (filter[1] == null ? "" : " AND site = '" + filter[1] + "'");
            String label = Arrays.toString(filter) + " " + step;
            assertEquals(query(f, "SELECT COALESCE(SUM(http_bytes), 0) FROM " + table + where), h.overall().httpBytes(), label);
            assertEquals(query(f, "SELECT COALESCE(SUM(reports), 0) FROM " + table + where), h.overall().reports(), label);
            assertEquals(query(f, "SELECT COALESCE(SUM(stall_ms), 0) FROM " + table + where), h.overall().stallMs(), label);
            for (QoeQueries.Point p : h.points()) {
                long t = p.at().getEpochSecond();
                String in = where + " AND " + time + " >= " + t + " AND " + time + " < " + (t + stepSeconds);
                assertEquals(query(f, "SELECT COALESCE(SUM(p2p_bytes), 0) FROM " + table + in), p.figures().p2pBytes(),
                        label + " at " + p.at());
                // Peak: the busiest period's viewers summed over the (stream, site) rows, as before.
                assertEquals(query(f, "SELECT COALESCE(MAX(v), 0) FROM (SELECT SUM(viewers) v FROM " + table + in
                        + " GROUP BY " + time + ")"), p.figures().peakViewers(), label + " peak at " + p.at());
            }
            assertEquals(breakdown(f, table, "stream_id", where), httpBytes(h.byStream()), label + " by stream");
            assertEquals(breakdown(f, table, "site", where), httpBytes(h.bySite()), label + " by site");
        }
    }

    private static Map<String, Long> breakdown(QoeFixture f, String table, String by, String where) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = f.database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + by + ", SUM(http_bytes) FROM " + table + where + " GROUP BY " + by)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static Map<String, Long> httpBytes(Map<String, QoeFigures> figures) {
        Map<String, Long> out = new TreeMap<>();
        figures.forEach((k, v) -> out.put(k, v.httpBytes()));
        return out;
    }
}
