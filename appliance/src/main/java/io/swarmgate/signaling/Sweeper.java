package io.swarmgate.signaling;

import io.swarmgate.config.ApplianceConfig;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling service's once-a-second timer: closes connections that sent no {@code hello} in
 * time or missed their heartbeats, queues the resume expiry and the token-rotation grace check on
 * the mesh thread (each at most once in the queue), hands on the renditions held back from a
 * viewer that changed them too often ({@link PeerReports#heldTracks}), and forgets old throughput reports.
 */
final class Sweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final ApplianceConfig.Signaling settings;
    private final SessionRegistry registry;
    private final MeshQueue mesh;
    private final ViewerLifecycle lifecycle;
    private final PolicyRecheck recheck;
    private final List<SiteThroughput> reported;
    private final PeerReports peerReports;
    private final Clock clock;
    private final AtomicBoolean expiryQueued = new AtomicBoolean();
    private final AtomicBoolean graceCheckQueued = new AtomicBoolean();
    private final ScheduledExecutorService timer;

    /** Starts sweeping every second; {@code reported}: the per-site figures pruned on each sweep. */
    Sweeper(ApplianceConfig.Signaling settings, SessionRegistry registry, MeshQueue mesh, ViewerLifecycle lifecycle,
            PolicyRecheck recheck, List<SiteThroughput> reported, PeerReports peerReports, Clock clock) {
        this.peerReports = peerReports;
        this.settings = settings;
        this.registry = registry;
        this.mesh = mesh;
        this.lifecycle = lifecycle;
        this.recheck = recheck;
        this.reported = reported;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> SignalingService.daemon(r, "signaling-sweeper"));
        timer.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    private void sweep() {
        try {
            long now = clock.millis();
            long heartbeatTimeout = 3L * settings.heartbeatMs();
            for (ViewerSession s : registry.connections()) {
                if (s.membership() == null && now - s.openedAt > settings.helloTimeoutMs()) {
                    s.close(CloseCodes.HELLO_TIMEOUT, "no hello");
                } else if (now - s.lastSeen() > heartbeatTimeout) {
                    s.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
                } else {
                    peerReports.heldTracks(s);
                }
            }
            mesh.runOnce(expiryQueued, "resume expiry", lifecycle::expireSuspended);
            mesh.runOnce(graceCheckQueued, "token rotation grace", recheck::graceCheck);
            reported.forEach(r -> r.prune(now));
        } catch (RuntimeException e) {
            LOG.warn("signaling - sweep failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
