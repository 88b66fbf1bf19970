package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeColumns.COUNT;
import static io.swarmgate.qoe.QoeColumns.NAMES;
import static io.swarmgate.qoe.QoeTable.ALL;

import io.swarmgate.store.Dialect;
import io.swarmgate.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Every statement on the QoE tables ({@link QoeTable}: {@code qoe_minute}, {@code qoe_hour}, their
 * totals and coarse breakdown totals): batched minute upserts, the minute → hour rollup, retention
 * pruning, rebuilds for tools, and the scans behind {@link QoeHistoryReads}. Times are epoch seconds.
 * One class owns all six tables because no statement family keeps to a few of them: the rollup
 * reads minutes to write hours, and every write of detail rows also writes their totals.
 *
 * <p>Every write of detail rows writes the matching totals in the same transaction: per stream
 * (site {@code '*'}), per site (stream {@code '*'}) and overall ({@code '*', '*'}), so reads without
 * both filters sum at most one row per period and group instead of every (stream, site) row. The
 * per-stream and per-site totals are also kept summed per hour (of minutes) and per day (of
 * hours), so a breakdown over a long range reads one row per stream or site and coarse period.
 */
public final class QoeRepository {

    /**
     * Which rows a read sums: {@code table}'s rows with {@code time} in [from, to), restricted to
     * {@code stream} and {@code site} (null: any), and, for a breakdown of a totals table,
     * {@code notAll} ("stream_id" or "site") must not be '*'. An empty range reads nothing.
     */
    record Scan(String table, String time, long from, long to, String stream, String site, String notAll) {
        String where() {
            return " WHERE " + time + " >= ? AND " + time + " < ?"
                    + (stream == null ? "" : " AND stream_id = ?") + (site == null ? "" : " AND site = ?")
                    + (notAll == null ? "" : " AND " + notAll + " <> '" + ALL + "'");
        }
    }

    private static final int PRUNE_CHUNK = 10_000;

    private final String mergeMinute;
    private final String mergeMinuteTotal;
    private final String mergeMinuteTotalByHour;
    private final String rollupHour;
    private final String rollupHourTotals;
    private final Dialect dialect;
    private final DataSource dataSource;
    private final AtomicLong batchExecutions = new AtomicLong();

    public QoeRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        this.dialect = Dialect.of(dataSource);
        List<String> all = columns("stream_id", "site", "minute_start", "viewers", "viewer_minutes");
        List<String> sums = Stream.concat(Stream.of("viewers", "viewer_minutes"), Stream.of(NAMES)).toList();
        // Additive: a minute written again (a late report, the same minute before and after a
        // restart, or another appliance's viewers of the same site in a cluster) adds its new
        // increments instead of replacing what is stored.
        List<String> minuteKey = List.of("stream_id", "site", "minute_start");
        mergeMinute = dialect.addingUpsert("qoe_minute", all, minuteKey, sums, QoeRepository::sqlType);
        mergeMinuteTotal = dialect.addingUpsert("qoe_minute_total", all, minuteKey, sums, QoeRepository::sqlType);
        List<String> hourly = columns("stream_id", "site", "hour_start", "viewer_minutes");
        mergeMinuteTotalByHour = dialect.addingUpsert("qoe_minute_total_by_hour", hourly,
                List.of("stream_id", "site", "hour_start"), hourly.subList(3, hourly.size()), QoeRepository::sqlType);
        // Recomputed from the minutes each time, so re-rolling an hour that got late minutes is exact.
        List<String> hour = columns("stream_id", "site", "hour_start", "viewers", "viewer_minutes");
        List<String> hourKey = List.of("stream_id", "site", "hour_start");
        rollupHour = dialect.replacingUpsert("qoe_hour", hour, hourKey,
                "SELECT stream_id, site, minute_start / 3600 * 3600, MAX(viewers), SUM(viewer_minutes), "
                + QoeColumns.list("SUM") + " FROM qoe_minute WHERE minute_start >= ? AND minute_start < ?"
                + " GROUP BY stream_id, site, minute_start / 3600 * 3600");
        // An hour's totals are summed from its qoe_hour rows (not from the minute totals), so their
        // viewers are the sum of each (stream, site)'s busiest minute, as summing qoe_hour rows gives.
        String totalSums = "SUM(viewers), SUM(viewer_minutes), " + QoeColumns.list("SUM");
        rollupHourTotals = dialect.replacingUpsert("qoe_hour_total", hour, hourKey,
                "SELECT stream_id, '*', hour_start, " + totalSums + " FROM qoe_hour WHERE hour_start = ?"
                + " GROUP BY stream_id, hour_start"
                + " UNION ALL SELECT '*', site, hour_start, " + totalSums + " FROM qoe_hour WHERE hour_start = ?"
                + " GROUP BY site, hour_start"
                + " UNION ALL SELECT '*', '*', hour_start, " + totalSums + " FROM qoe_hour WHERE hour_start = ?"
                + " GROUP BY hour_start");
    }

    private static List<String> columns(String... first) {
        return Stream.concat(Stream.of(first), Stream.of(QoeColumns.list(null).split(", "))).toList();
    }

    private static String sqlType(String column) {
        return column.equals("stream_id") || column.equals("site") ? "VARCHAR(256)" : "BIGINT";
    }

    /** JDBC batch executions by {@link #mergeMinutes} since start: one per flush that had rows. */
    public long batchExecutions() {
        return batchExecutions.get();
    }

    /**
     * Adds every delta in one JDBC batch, their sums per stream, per site and overall to
     * {@code qoe_minute_total} in a second one, and the per-stream and per-site sums of each hour to
     * {@code qoe_minute_total_by_hour} in a third, in one transaction: all of them or none.
     */
    void mergeMinutes(List<QoeDeltas.Minute> deltas) throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        List<QoeDeltas.Minute> totals = QoeDeltas.totals(deltas);
        List<QoeDeltas.Hour> byHour = QoeDeltas.byHour(totals);
        Transactions.run(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(mergeMinute);
                 PreparedStatement t = c.prepareStatement(mergeMinuteTotal);
                 PreparedStatement h = c.prepareStatement(mergeMinuteTotalByHour)) {
                addAll(s, deltas);
                s.executeBatch();
                batchExecutions.incrementAndGet();
                addAll(t, totals);
                t.executeBatch();
                for (QoeDeltas.Hour d : byHour) {
                    h.setString(1, d.streamId());
                    h.setString(2, d.site());
                    h.setLong(3, d.hourStart());
                    for (int i = 0; i < d.values().length; i++) {
                        h.setLong(4 + i, d.values()[i]);
                    }
                    h.addBatch();
                }
                h.executeBatch();
                return null;
            }
        });
    }

    private static void addAll(PreparedStatement s, List<QoeDeltas.Minute> deltas) throws SQLException {
        for (QoeDeltas.Minute d : deltas) {
            s.setString(1, d.streamId());
            s.setString(2, d.site());
            s.setLong(3, d.minuteStart());
            s.setLong(4, d.viewers());
            s.setLong(5, d.viewers());
            for (int i = 0; i < COUNT; i++) {
                s.setLong(6 + i, d.counters()[i]);
            }
            s.addBatch();
        }
    }

    /** Start of the newest hourly row, or -1 when there is none. */
    long latestHour() throws SQLException {
        return single("SELECT COALESCE(MAX(hour_start), -1) FROM qoe_hour");
    }

    /** Start of the oldest minute row, or -1 when there is none. */
    long earliestMinute() throws SQLException {
        return single("SELECT COALESCE(MIN(minute_start), -1) FROM qoe_minute");
    }

    private long single(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * (Re)computes the hourly row of every stream and site for the hour starting at {@code hourStart},
     * its totals, and the breakdown totals of its day.
     */
    int rollupHour(long hourStart) throws SQLException {
        return Transactions.run(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(rollupHour);
                 PreparedStatement t = c.prepareStatement(rollupHourTotals)) {
                s.setLong(1, hourStart);
                s.setLong(2, hourStart + 3600);
                int rows = s.executeUpdate();
                t.setLong(1, hourStart);
                t.setLong(2, hourStart);
                t.setLong(3, hourStart);
                t.executeUpdate();
                long day = Math.floorDiv(hourStart, QoeTable.HOUR.coarseSeconds) * QoeTable.HOUR.coarseSeconds;
                recomputeCoarse(c, QoeTable.HOUR, day, day + QoeTable.HOUR.coarseSeconds);
                return rows;
            }
        });
    }

    /**
     * Recomputes the total rows of {@code table} in [from, to) from its detail rows (replacing
     * what is there). For tools that write detail rows directly, e.g. the benchmark's seeding.
     */
    void rebuildTotals(QoeTable table, long from, long to) throws SQLException {
        String cols = "stream_id, site, " + table.time + ", viewers, viewer_minutes, " + QoeColumns.list(null);
        String sums = "SUM(viewers), SUM(viewer_minutes), " + QoeColumns.list("SUM");
        String range = " FROM " + table.name + " WHERE " + table.time + " >= ? AND " + table.time + " < ?";
        Transactions.run(dataSource, c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table.totals + " WHERE " + table.time
                    + " >= ? AND " + table.time + " < ?");
                 PreparedStatement i = c.prepareStatement("INSERT INTO " + table.totals + " (" + cols + ")"
                         + " SELECT stream_id, '*', " + table.time + ", " + sums + range + " GROUP BY stream_id, " + table.time
                         + " UNION ALL SELECT '*', site, " + table.time + ", " + sums + range + " GROUP BY site, " + table.time
                         + " UNION ALL SELECT '*', '*', " + table.time + ", " + sums + range + " GROUP BY " + table.time)) {
                d.setLong(1, from);
                d.setLong(2, to);
                d.executeUpdate();
                for (int p = 0; p < 3; p++) {
                    i.setLong(2 * p + 1, from);
                    i.setLong(2 * p + 2, to);
                }
                i.executeUpdate();
                return null;
            }
        });
    }

    /**
     * Replaces the coarse breakdown rows of {@code table} in [from, to) (aligned to its coarse
     * period) with the sums of its per-stream and per-site total rows. For tools that write total
     * rows directly, e.g. the benchmark's seeding.
     */
    void rebuildCoarse(QoeTable table, long from, long to) throws SQLException {
        Transactions.run(dataSource, c -> {
            recomputeCoarse(c, table, from, to);
            return null;
        });
    }

    /** Recomputes {@code table}'s coarse rows in [from, to), both aligned, from its total rows, on {@code c}. */
    private static void recomputeCoarse(Connection c, QoeTable table, long from, long to) throws SQLException {
        String cols = "viewer_minutes, " + QoeColumns.list(null);
        String sums = "SUM(viewer_minutes), " + QoeColumns.list("SUM");
        String period = table.time + " / " + table.coarseSeconds + " * " + table.coarseSeconds;
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table.coarse + " WHERE " + table.coarseTime
                + " >= ? AND " + table.coarseTime + " < ?");
             PreparedStatement i = c.prepareStatement("INSERT INTO " + table.coarse + " (stream_id, site, "
                     + table.coarseTime + ", " + cols + ") SELECT stream_id, site, " + period + ", " + sums
                     + " FROM " + table.totals + " WHERE " + table.time + " >= ? AND " + table.time + " < ?"
                     + " AND NOT (stream_id = '" + ALL + "' AND site = '" + ALL + "')"
                     + " GROUP BY stream_id, site, " + period)) {
            d.setLong(1, from);
            d.setLong(2, to);
            d.executeUpdate();
            i.setLong(1, from);
            i.setLong(2, to);
            i.executeUpdate();
        }
    }

    /**
     * Deletes rows of {@code table} that started before {@code before}, in chunks, with their totals
     * and coarse breakdown rows; returns the count of detail rows. The coarse period the cut-off
     * falls in lost only some of its rows: it is recomputed from the totals that remain.
     */
    long pruneBefore(QoeTable table, long before) throws SQLException {
        long total = prune(table.name, table.time, before);
        long totals = prune(table.totals, table.time, before);
        long cut = Math.floorDiv(before, table.coarseSeconds) * table.coarseSeconds;
        if (prune(table.coarse, table.coarseTime, cut) > 0 || total > 0 || totals > 0) {
            rebuildCoarse(table, cut, cut + table.coarseSeconds);
        }
        return total;
    }

    /** Deletes rows of {@code name} before {@code before} in chunks; returns the count. */
    private long prune(String name, String time, long before) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                dialect.deleteSome(name, time + " < ?", PRUNE_CHUNK))) {
            s.setLong(1, before);
            int n;
            do {
                n = s.executeUpdate();
                total += n;
            } while (n == PRUNE_CHUNK);
        }
        return total;
    }

    /**
     * Sums of each period of {@code scan}, keyed by the period's start in time order; a period's
     * {@code peakViewers} is its summed viewers.
     */
    Map<Object, QoeSums> sumPerPeriod(Scan scan) throws SQLException {
        Map<Object, QoeSums> sums = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            sum(c, scan, scan.time(), false, sums);
        }
        return sums;
    }

    /** Sums of the rows of every scan together, per value of {@code column} (a stream or site), in its order. */
    Map<Object, QoeSums> sumPerKey(String column, List<Scan> scans) throws SQLException {
        Map<Object, QoeSums> sums = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (Scan scan : scans) {
                sum(c, scan, column, true, sums);
            }
        }
        return sums;
    }

    /**
     * Adds the rows of {@code src} into {@code sums}, grouped by {@code group} (a column name): a
     * stream or site when {@code keyed}, else the period's start, whose peak is then the summed
     * {@code viewers}. An empty range reads nothing.
     */
    private static void sum(Connection c, Scan src, String group, boolean keyed, Map<Object, QoeSums> sums)
            throws SQLException {
        if (src.from() >= src.to()) {
            return;
        }
        String viewers = keyed ? "0" : "viewers";
        String sql = "SELECT " + group + ", " + viewers + ", viewer_minutes, " + QoeColumns.list(null)
                + " FROM " + src.table() + src.where();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            s.setLong(p++, src.from());
            s.setLong(p++, src.to());
            if (src.stream() != null) {
                s.setString(p++, src.stream());
            }
            if (src.site() != null) {
                s.setString(p, src.site());
            }
            // Summed here rather than with SQL SUMs: H2 aggregates 28 SUMs at about 20 µs a row,
            // reading the rows is several times cheaper.
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Object k = keyed ? rs.getString(1) : (Object) rs.getLong(1);
                    QoeSums g = sums.get(k);
                    if (g == null) {
                        g = new QoeSums();
                        g.peakViewers = keyed ? -1 : 0;
                        sums.put(k, g);
                    }
                    if (!keyed) {
                        g.peakViewers += rs.getLong(2);
                    }
                    g.viewerMinutes += rs.getLong(3);
                    for (int i = 0; i < COUNT; i++) {
                        g.counters[i] += rs.getLong(4 + i);
                    }
                }
            }
        }
    }

    /** Row counts of the detail, total and coarse breakdown tables, for the benchmark and tests. */
    Map<String, Long> rowCounts() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (QoeTable t : QoeTable.values()) {
            out.put(t.name, single("SELECT COUNT(*) FROM " + t.name));
            out.put(t.totals, single("SELECT COUNT(*) FROM " + t.totals));
            out.put(t.coarse, single("SELECT COUNT(*) FROM " + t.coarse));
        }
        return out;
    }
}
