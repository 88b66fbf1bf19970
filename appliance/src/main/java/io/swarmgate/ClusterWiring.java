package io.swarmgate;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.server.ApplianceServer;
import io.swarmgate.signaling.SignalingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What lets appliances behind a load balancer come and go without viewers noticing
 * (docs/scaling.md, "Failure behaviour"): draining for a stop.
 */
final class ClusterWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWiring.class);

    private ClusterWiring() {
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
