package io.swarmgate.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.pki.SubjectNames;
import io.swarmgate.store.Dialect;
import java.net.URI;
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
import java.util.function.Supplier;
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

        public long viewers() {
            return viewersByStream.values().stream().mapToLong(Integer::longValue).sum();
        }
    }

    /** One appliance of the cluster as last published; {@code self} marks the one answering. */
    public record Node(String node, String url, long viewers, Map<String, Integer> streams, boolean draining,
                       long updatedAtMs, boolean self) {
    }

    private final DataSource dataSource;
    private final Supplier<URI> self;
    private final Clock clock;
    private final Duration fresh;
    private final String upsert;

    /**
     * @param self  where this appliance's console is reached (read once it listens); its name in
     *              the cluster is the machine's host name and that port
     * @param fresh how recent a row must be to count
     */
    public ClusterNodes(DataSource dataSource, Supplier<URI> self, Clock clock, Duration fresh) {
        this.dataSource = dataSource;
        this.self = self;
        this.clock = clock;
        this.fresh = fresh;
        this.upsert = Dialect.of(dataSource).replacingUpsert("cluster_node",
                List.of("node", "url", "viewers", "streams", "draining", "updated_at"), List.of("node"),
                "VALUES (?, ?, ?, ?, ?, ?)");
    }

    /** This appliance's name among the cluster's: host name and HTTPS port. */
    public static String name(URI uri) {
        return SubjectNames.machineHostnames().stream().findFirst().orElse("swarmgate") + ":" + uri.getPort();
    }

    /** This appliance alone, from its own figures (no database): what a single appliance shows. */
    public static Node alone(URI uri, Figures figures, Clock clock) {
        return new Node(name(uri), uri.toString(), figures.viewers(), figures.viewersByStream(), figures.draining(),
                clock.millis(), true);
    }

    void publish(Figures figures) throws SQLException {
        String streams;
        try {
            streams = JSON.writeValueAsString(figures.viewersByStream());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(upsert)) {
            URI uri = self.get();
            s.setString(1, name(uri));
            s.setString(2, uri.toString());
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
        String me = name(self.get());
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
                            rs.getLong(6), me.equals(rs.getString(1))));
                }
            }
        }
        return out;
    }
}
