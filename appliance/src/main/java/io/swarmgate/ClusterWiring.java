package io.swarmgate;

import io.swarmgate.api.ClusterResource;
import io.swarmgate.cluster.ClusterNodes;
import io.swarmgate.cluster.ClusterSync;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.server.ApplianceServer;
import io.swarmgate.signaling.SignalingService;
import io.swarmgate.store.Database;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's part of the appliance (docs/scaling.md): syncing with the other appliances
 * through the shared database, and draining for a stop so that appliances behind a load balancer
 * come and go without viewers noticing.
 */
final class ClusterWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWiring.class);

    private ClusterWiring() {
    }

    /** Starts syncing with the other appliances when the database is shared; null otherwise. */
    static ClusterSync sync(ApplianceConfig config, Database database, PolicyService policies,
                            SignalingService signaling, ApplianceServer server, Clock clock) {
        if (!database.shared()) {
            return null;
        }
        Duration interval = Duration.ofMillis(config.database().syncIntervalMs());
        return new ClusterSync(database.dataSource(), policies, nodes(config, database, server::httpsUri, clock),
                () -> ClusterNodes.Figures.of(server.draining(), signaling.viewersByStreamAndSite())).start(interval);
    }

    /** {@code /api/v1/cluster}: the shared table's fresh rows in cluster mode, else this appliance alone. */
    static ClusterResource resource(ApplianceConfig config, Database database, SignalingService signaling,
                                    Supplier<ApplianceServer> server, Clock clock) {
        if (!database.shared()) {
            return new ClusterResource(() -> List.of(ClusterNodes.alone(server.get().httpsUri(),
                    ClusterNodes.Figures.of(server.get().draining(), signaling.viewersByStreamAndSite()), clock)), clock);
        }
        ClusterNodes nodes = nodes(config, database, () -> server.get().httpsUri(), clock);
        return new ClusterResource(nodes::fresh, clock);
    }

    private static ClusterNodes nodes(ApplianceConfig config, Database database, Supplier<URI> uri, Clock clock) {
        // Three intervals: one late write does not make an appliance vanish from the consoles.
        return new ClusterNodes(database.dataSource(), uri, clock,
                Duration.ofMillis(config.database().syncIntervalMs()).multipliedBy(3));
    }

    /**
     * A stop's first step: {@code /readyz} turns 503 so the load balancer sends no new viewers
     * here; after {@code server.drain-ms} (for its health check to notice; skipped when no viewer
     * is connected) every viewer is told to move and reconnects through the balancer, to another
     * appliance or to this one when it is back. Bounded: the process exits after at most this plus
     * {@code server.shutdown-timeout-ms}.
     */
    static void drain(ApplianceConfig.Server settings, ApplianceServer server, SignalingService signaling)
            throws InterruptedException {
        server.drain();
        int connected = signaling.connections();
        if (settings.drainMs() > 0 && connected > 0) {
            LOG.info("appliance - draining for {} ms before telling {} viewer(s) to move", settings.drainMs(), connected);
            Thread.sleep(settings.drainMs());
        }
        int told = signaling.moveEveryone("draining", settings.moveSpreadMs());
        if (told > 0) {
            LOG.info("appliance - told {} viewer(s) to move", told);
        }
    }
}
