package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeColumns.COUNT;
import static io.swarmgate.qoe.QoeColumns.NAMES;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The {@code qoe_minute} and {@code qoe_hour} tables (V4__qoe.sql): batched minute upserts, the
 * minute → hour rollup, retention pruning, and the grouped reads behind {@link QoeQueries}.
 * Times are epoch seconds.
 */
public final class QoeRepository {

    /** Which rollup table a read uses, with its period length. */
    enum Table {
        MINUTE("qoe_minute", "minute_start", 60),
        HOUR("qoe_hour", "hour_start", 3600);

        final String name;
        final String time;
        final long seconds;

        Table(String name, String time, long seconds) {
            this.name = name;
            this.time = time;
            this.seconds = seconds;
        }
    }

    /** Increments for one (stream, site, minute): added to the row if it exists, inserted if not. */
    record MinuteDelta(String streamId, String site, long minuteStart, long viewers, long[] counters) {
    }

    /** One grouped row of a read: the group's key (a time, stream or site) and its sums. */
    record Group(String key, long time, QoeSums sums) {
    }

    private static final String MERGE_MINUTE;
    private static final String ROLLUP_HOUR;
    private static final int PRUNE_CHUNK = 10_000;

    static {
        String all = "stream_id, site, minute_start, viewers, viewer_minutes, " + QoeColumns.list(null);
        String values = Stream.of(all.split(", ")).map(c -> "s." + c).collect(Collectors.joining(", "));
        String params = Stream.of(all.split(", ")).map(c -> c.equals("stream_id") || c.equals("site")
                ? "CAST(? AS VARCHAR(256))" : "CAST(? AS BIGINT)").collect(Collectors.joining(", "));
        String sums = Stream.concat(Stream.of("viewers", "viewer_minutes"), Stream.of(NAMES))
                .map(c -> c + " = t." + c + " + s." + c).collect(Collectors.joining(", "));
        // Additive: a minute written again (a late report, or the same minute before and after a
        // restart) adds its new increments instead of replacing what is stored.
        MERGE_MINUTE = "MERGE INTO qoe_minute t USING (VALUES (" + params + ")) s(" + all + ")"
                + " ON t.stream_id = s.stream_id AND t.site = s.site AND t.minute_start = s.minute_start"
                + " WHEN MATCHED THEN UPDATE SET " + sums
                + " WHEN NOT MATCHED THEN INSERT (" + all + ") VALUES (" + values + ")";
        // Recomputed from the minutes each time, so re-rolling an hour that got late minutes is exact.
        ROLLUP_HOUR = "MERGE INTO qoe_hour (stream_id, site, hour_start, viewers, viewer_minutes, "
                + QoeColumns.list(null) + ") KEY (stream_id, site, hour_start)"
                + " SELECT stream_id, site, minute_start / 3600 * 3600, MAX(viewers), SUM(viewer_minutes), "
                + QoeColumns.list("SUM") + " FROM qoe_minute WHERE minute_start >= ? AND minute_start < ?"
                + " GROUP BY stream_id, site, minute_start / 3600 * 3600";
    }

    private final DataSource dataSource;
    private final AtomicLong batchExecutions = new AtomicLong();

    public QoeRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** JDBC batch executions by {@link #mergeMinutes} since start: one per flush that had rows. */
    public long batchExecutions() {
        return batchExecutions.get();
    }

    /** Adds every delta in one JDBC batch and one transaction: all of them or none. */
    void mergeMinutes(List<MinuteDelta> deltas) throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(MERGE_MINUTE)) {
                for (MinuteDelta d : deltas) {
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
                s.executeBatch();
                batchExecutions.incrementAndGet();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
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

    /** (Re)computes the hourly row of every stream and site for the hour starting at {@code hourStart}. */
    int rollupHour(long hourStart) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(ROLLUP_HOUR)) {
            s.setLong(1, hourStart);
            s.setLong(2, hourStart + 3600);
            return s.executeUpdate();
        }
    }

    /** Deletes rows of {@code table} that started before {@code before}, in chunks; returns the count. */
    long pruneBefore(Table table, long before) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM " + table.name + " WHERE " + table.time + " < ? FETCH FIRST " + PRUNE_CHUNK + " ROWS ONLY")) {
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
     * Sums per period of {@code table} in [from, to), optionally restricted to a stream and/or a
     * site; ordered by time. Each group's {@code peakViewers} is its summed viewers.
     */
    List<Group> series(Table table, long from, long to, String stream, String site) throws SQLException {
        String sql = "SELECT " + table.time + ", SUM(viewers), SUM(viewer_minutes), " + QoeColumns.list("SUM")
                + " FROM " + table.name + where(table, stream, site) + " GROUP BY " + table.time + " ORDER BY " + table.time;
        return groups(sql, from, to, stream, site, false);
    }

    /** Sums per stream ({@code byColumn} "stream_id") or per site ("site") in [from, to). */
    List<Group> breakdown(Table table, String byColumn, long from, long to, String stream, String site)
            throws SQLException {
        if (!byColumn.equals("stream_id") && !byColumn.equals("site")) {
            throw new IllegalArgumentException(byColumn);
        }
        String sql = "SELECT " + byColumn + ", SUM(viewers), SUM(viewer_minutes), " + QoeColumns.list("SUM")
                + " FROM " + table.name + where(table, stream, site) + " GROUP BY " + byColumn + " ORDER BY " + byColumn;
        return groups(sql, from, to, stream, site, true);
    }

    private static String where(Table table, String stream, String site) {
        return " WHERE " + table.time + " >= ? AND " + table.time + " < ?"
                + (stream == null ? "" : " AND stream_id = ?") + (site == null ? "" : " AND site = ?");
    }

    private List<Group> groups(String sql, long from, long to, String stream, String site, boolean keyed)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            s.setLong(p++, from);
            s.setLong(p++, to);
            if (stream != null) {
                s.setString(p++, stream);
            }
            if (site != null) {
                s.setString(p, site);
            }
            List<Group> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    QoeSums sums = new QoeSums();
                    sums.peakViewers = keyed ? -1 : rs.getLong(2);
                    sums.viewerMinutes = rs.getLong(3);
                    for (int i = 0; i < COUNT; i++) {
                        sums.counters[i] = rs.getLong(4 + i);
                    }
                    out.add(keyed ? new Group(rs.getString(1), 0, sums) : new Group(null, rs.getLong(1), sums));
                }
            }
            return out;
        }
    }

    /** Row counts of both tables, for the benchmark and tests. */
    Map<String, Long> rowCounts() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Table t : Table.values()) {
            out.put(t.name, single("SELECT COUNT(*) FROM " + t.name));
        }
        return out;
    }
}
