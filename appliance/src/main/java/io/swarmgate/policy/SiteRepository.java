package io.swarmgate.policy;

import io.swarmgate.mesh.SiteRange;
import io.swarmgate.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code site_range} table: the admin's CIDR → site map. Changes take the caller's
 * connection, so they share one transaction with their audit entry.
 */
public final class SiteRepository {

    private final DataSource dataSource;
    private final String upsert;

    public SiteRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        this.upsert = Dialect.of(dataSource).replacingUpsert("site_range", List.of("cidr", "site", "label", "created_at"),
                List.of("cidr"), "VALUES (?, ?, ?, ?)");
    }

    public List<SiteRange> list() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT cidr, site, label FROM site_range ORDER BY site, cidr");
             ResultSet rs = s.executeQuery()) {
            List<SiteRange> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new SiteRange(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
            return out;
        }
    }

    /** The range with this CIDR, as {@code c}'s transaction sees it. */
    public Optional<SiteRange> find(Connection c, String cidr) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT cidr, site, label FROM site_range WHERE cidr = ?")) {
            s.setString(1, cidr);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new SiteRange(rs.getString(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /** Adds or replaces the range with this CIDR. */
    public void upsert(Connection c, SiteRange range, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(upsert)) {
            s.setString(1, range.cidr());
            s.setString(2, range.site());
            s.setString(3, range.label());
            s.setTimestamp(4, Timestamp.from(now));
            s.executeUpdate();
        }
    }

    /** Removes the range with this CIDR; false if there was none. */
    public boolean remove(Connection c, String cidr) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM site_range WHERE cidr = ?")) {
            s.setString(1, cidr);
            return s.executeUpdate() > 0;
        }
    }
}
