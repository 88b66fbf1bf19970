package io.swarmgate.cluster;

import io.swarmgate.policy.PolicyService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's link between appliances sharing one database, on one timer thread
 * ({@code cluster-sync}) every {@code cluster.sync-interval-ms}:
 * <ul>
 * <li>Policy and site-map changes made on another appliance: every such change is written in one
 *     transaction with its audit entry, so the audit head's sequence number moves with it. When the
 *     head moved, sites and policies are re-read and, if they differ, applied as a local change is
 *     ({@link PolicyService#refresh}: connected viewers are re-checked). A change therefore reaches
 *     the other appliances within one interval, at the cost of one one-row query per interval.</li>
 * <li>This appliance's live figures ({@link ClusterNodes}), for every console of the cluster.</li>
 * </ul>
 */
public final class ClusterSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSync.class);

    private final DataSource dataSource;
    private final PolicyService policies;
    private final ClusterNodes nodes;
    private final Supplier<ClusterNodes.Figures> figures;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-sync");
        t.setDaemon(true);
        return t;
    });
    private long seenHead = -1; // only the timer thread
    private volatile boolean failing;

    public ClusterSync(DataSource dataSource, PolicyService policies, ClusterNodes nodes,
                       Supplier<ClusterNodes.Figures> figures) {
        this.dataSource = dataSource;
        this.policies = policies;
        this.nodes = nodes;
        this.figures = figures;
    }

    public ClusterSync start(Duration interval) {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One round: pick up others' changes, publish our figures. Never throws: the next round retries. */
    void tick() {
        try {
            long head = auditHead();
            if (head != seenHead) {
                // Also on the first round: a change may have landed since the policies were loaded at start.
                seenHead = head;
                if (policies.refresh()) {
                    LOG.info("cluster - policies or sites changed on another appliance; applied here");
                }
            }
            nodes.publish(figures.get());
            if (failing) {
                LOG.info("cluster - the shared database answers again");
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warn("cluster - cannot sync with the shared database: {}", e.getMessage());
                failing = true;
            }
        }
    }

    private long auditHead() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
