package io.swarmgate.policy;

import io.swarmgate.mesh.P2pMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The {@code stream_policy} and {@code stream_site_mode} tables. Lists are stored as text:
 * origins and per-viewer query parameters comma separated, site groups as {@code a+b;c+d}.
 */
public final class StreamPolicyRepository {

    private static final String COLUMNS = "id, url_pattern, p2p_mode, max_neighbours, upload_on_cellular,"
            + " allowed_origins, security_level, site_groups, token_secret, updated_at, previous_token_secret,"
            + " token_rotated_at, token_max_lifetime_s, token_rotation_grace_s, max_viewers_per_token,"
            + " upload_on_wifi, max_uploads, max_upload_kbps, viewer_params";

    private final DataSource dataSource;

    public StreamPolicyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<StreamPolicy> list() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Map<String, P2pMode>> modes = siteModes(c);
            List<StreamPolicy> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM stream_policy ORDER BY id");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs, modes.getOrDefault(rs.getString(1), Map.of())));
                }
            }
            return out;
        }
    }


    /** Inserts or replaces the policy and its site modes within {@code c}'s transaction. */
    public void save(Connection c, StreamPolicy p, boolean insert) throws SQLException {
        String sql = insert
                ? "INSERT INTO stream_policy (" + COLUMNS + ", created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "UPDATE stream_policy SET url_pattern = ?, p2p_mode = ?, max_neighbours = ?,"
                + " upload_on_cellular = ?, allowed_origins = ?, security_level = ?, site_groups = ?,"
                + " token_secret = ?, updated_at = ?, previous_token_secret = ?, token_rotated_at = ?,"
                + " token_max_lifetime_s = ?, token_rotation_grace_s = ?, max_viewers_per_token = ?,"
                + " upload_on_wifi = ?, max_uploads = ?, max_upload_kbps = ?, viewer_params = ? WHERE id = ?";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            if (insert) {
                s.setString(i++, p.id());
            }
            s.setString(i++, p.urlPattern());
            s.setString(i++, p.p2pMode().wire());
            s.setInt(i++, p.maxNeighbours());
            s.setBoolean(i++, p.upload().onCellular());
            s.setString(i++, String.join(",", p.allowedOrigins()));
            s.setString(i++, p.securityLevel().wire());
            s.setString(i++, p.siteGroups().stream().map(g -> g.stream().sorted()
                    .collect(Collectors.joining("+"))).collect(Collectors.joining(";")));
            TokenSettings t = p.tokens();
            s.setString(i++, t.secret());
            s.setTimestamp(i++, Timestamp.from(p.updatedAt()));
            s.setString(i++, t.previousSecret());
            s.setTimestamp(i++, t.rotatedAt() == null ? null : Timestamp.from(t.rotatedAt()));
            s.setLong(i++, t.maxLifetime().toSeconds());
            s.setLong(i++, t.rotationGrace().toSeconds());
            s.setInt(i++, t.maxViewersPerToken());
            s.setBoolean(i++, p.upload().onWifi());
            s.setInt(i++, p.upload().maxUploads());
            s.setInt(i++, p.upload().maxUploadKbps());
            s.setString(i++, String.join(",", p.viewerParams()));
            if (insert) {
                s.setTimestamp(i, Timestamp.from(p.updatedAt()));
            } else {
                s.setString(i, p.id());
            }
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM stream_site_mode WHERE stream_id = ?")) {
            s.setString(1, p.id());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO stream_site_mode (stream_id, site, p2p_mode) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, P2pMode> e : p.siteModes().entrySet()) {
                s.setString(1, p.id());
                s.setString(2, e.getKey());
                s.setString(3, e.getValue().wire());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    public boolean delete(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM stream_policy WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() > 0;
        }
    }

    private static Map<String, Map<String, P2pMode>> siteModes(Connection c) throws SQLException {
        Map<String, Map<String, P2pMode>> out = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT stream_id, site, p2p_mode FROM stream_site_mode");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                        .put(rs.getString(2), StreamPolicy.parseMode("site-mode", rs.getString(3)));
            }
        }
        return out;
    }

    private static StreamPolicy read(ResultSet rs, Map<String, P2pMode> modes) throws SQLException {
        String origins = rs.getString(6);
        String groups = rs.getString(8);
        List<Set<String>> siteGroups = groups.isEmpty() ? List.of() : Arrays.stream(groups.split(";"))
                .map(g -> (Set<String>) new LinkedHashSet<>(Arrays.asList(g.split("\\+")))).toList();
        return new StreamPolicy(rs.getString(1), rs.getString(2), StreamPolicy.parseMode("p2p", rs.getString(3)),
                modes, rs.getInt(4), new UploadRules(rs.getBoolean(5), rs.getBoolean(16), rs.getInt(17), rs.getInt(18)),
                origins.isEmpty() ? List.of() : List.of(origins.split(",")),
                SecurityLevel.parse("security", rs.getString(7)), siteGroups,
                new TokenSettings(rs.getString(9), rs.getString(11),
                        rs.getTimestamp(12) == null ? null : rs.getTimestamp(12).toInstant(),
                        Duration.ofSeconds(rs.getLong(13)), Duration.ofSeconds(rs.getLong(14)), rs.getInt(15)),
                rs.getTimestamp(10).toInstant(), rs.getString(19).isEmpty() ? List.of() : List.of(rs.getString(19).split(",")));
    }
}
