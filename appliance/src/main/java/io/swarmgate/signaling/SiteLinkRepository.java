package io.swarmgate.signaling;

import io.swarmgate.store.Dialect;
import io.swarmgate.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code site_link} table: each site's remembered link figure ({@link SiteLink}), one row per
 * site and appliance ({@code node}, its name in the cluster), so appliances sharing a database
 * never write the same row. Times are epoch milliseconds.
 */
public final class SiteLinkRepository {

    /** Rows deleted at most per {@link #deleteMeasuredBefore}. */
    static final int DELETE_CHUNK = 1_000;

    /** One stored figure: {@code site}'s link as {@code node} last wrote it. */
    record Row(String site, String node, long kbps, long measuredAt, long writtenAt) {

        Key key() {
            return new Key(site, node);
        }
    }

    /** A row's primary key. */
    record Key(String site, String node) {
    }

    private static final String COLUMNS = "site, node, kbps, measured_at, written_at";

    private final DataSource dataSource;
    private final String upsert;
    private final String deleteOld;

    public SiteLinkRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        Dialect dialect = Dialect.of(dataSource);
        this.upsert = dialect.replacingUpsert("site_link", List.of(COLUMNS.split(", ")), List.of("site", "node"),
                "VALUES (?, ?, ?, ?, ?)");
        this.deleteOld = dialect.deleteSome("site_link", "measured_at < ?", DELETE_CHUNK);
    }

    /** Writes {@code figures} (by site) as {@code node}'s, in one transaction. */
    void write(String node, Map<String, SiteLink> figures, long writtenAt) throws SQLException {
        if (figures.isEmpty()) {
            return;
        }
        Transactions.run(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(upsert)) {
                for (Map.Entry<String, SiteLink> e : figures.entrySet()) {
                    s.setString(1, e.getKey());
                    s.setString(2, node);
                    s.setLong(3, e.getValue().kbps());
                    s.setLong(4, e.getValue().measuredAt().toEpochMilli());
                    s.setLong(5, writtenAt);
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** Every appliance's rows measured at or after {@code since}, oldest measurement first. */
    List<Row> measuredSince(long since) throws SQLException {
        return rows("SELECT " + COLUMNS + " FROM site_link WHERE measured_at >= ? ORDER BY measured_at", since, null);
    }

    /** The rows appliances other than {@code node} wrote at or after {@code since}, oldest measurement first. */
    List<Row> writtenSince(long since, String node) throws SQLException {
        return rows("SELECT " + COLUMNS + " FROM site_link WHERE written_at >= ? AND node <> ? ORDER BY measured_at",
                since, node);
    }

    private List<Row> rows(String sql, long since, String node) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, since);
            if (node != null) {
                s.setString(2, node);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        return out;
    }

    /** Deletes at most {@link #DELETE_CHUNK} rows measured before {@code before}; returns how many. */
    int deleteMeasuredBefore(long before) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(deleteOld)) {
            s.setLong(1, before);
            return s.executeUpdate();
        }
    }
}
