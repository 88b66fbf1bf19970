package io.swarmgate.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The {@code cluster_node} table: each appliance's live figures (viewers per stream), written by
 * that appliance every sync interval, read by any appliance's console. A row not written for
 * {@code fresh} (its appliance stopped or lost the database) is left out of the cluster's figures.
 */
public final class ClusterNodes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, Integer>> STREAMS = new TypeReference<>() {
    };

    /** What one appliance publishes about itself. */
    public record Figures(boolean draining, Map<String, Integer> viewersByStream) {

        /** Viewers per stream from signaling's viewers per stream and site. */
        public static Figures of(boolean draining, Map<String, Map<String, Integer>> byStreamAndSite) {
            TreeMap<String, Integer> streams = new TreeMap<>();
            byStreamAndSite.forEach((stream, sites) ->
                    streams.put(stream, sites.values().stream().mapToInt(Integer::intValue).sum()));
            return new Figures(draining, streams);
        }

        long viewers() {
            return viewersByStream.values().stream().mapToLong(Integer::longValue).sum();
        }
    }

    /** One appliance of the cluster as last published; {@code self} marks the one answering. */
    public record Node(String node, String url, long viewers, Map<String, Integer> streams, boolean draining,
                       long updatedAtMs, boolean self) {
    }

    private final DataSource dataSource;
    private final String self;
    private final String url;
    private final Clock clock;
    private final Duration fresh;
    private final String upsert;

    /**
     * @param self  this appliance's name in the cluster (unique among them)
     * @param url   where its console is reached, shown to administrators
     * @param fresh how recent a row must be to count
     */
    public ClusterNodes(DataSource dataSource, String self, String url, Clock clock, Duration fresh) {
        this.dataSource = dataSource;
        this.self = self;
        this.url = url;
        this.clock = clock;
        this.fresh = fresh;
        this.upsert = Dialect.of(dataSource).replacingUpsert("cluster_node",
                List.of("node", "url", "viewers", "streams", "draining", "updated_at"), List.of("node"),
                "VALUES (?, ?, ?, ?, ?, ?)");
    }

    void publish(Figures figures) throws SQLException {
        String streams;
        try {
            streams = JSON.writeValueAsString(figures.viewersByStream());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(upsert)) {
            s.setString(1, self);
            s.setString(2, url);
            s.setLong(3, figures.viewers());
            s.setString(4, streams);
            s.setBoolean(5, figures.draining());
            s.setLong(6, clock.millis());
            s.executeUpdate();
        }
    }

    /** The appliances that published within the freshness window, by name. */
    public List<Node> fresh() throws SQLException {
        List<Node> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT node, url, viewers, streams, draining, updated_at FROM cluster_node WHERE updated_at >= ?"
                        + " ORDER BY node")) {
            s.setLong(1, clock.millis() - fresh.toMillis());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, Integer> streams;
                    try {
                        streams = JSON.readValue(rs.getString(4), STREAMS);
                    } catch (JsonProcessingException e) {
                        streams = Map.of();
                    }
                    out.add(new Node(rs.getString(1), rs.getString(2), rs.getLong(3), streams, rs.getBoolean(5),
                            rs.getLong(6), self.equals(rs.getString(1))));
                }
            }
        }
        return out;
    }
}
