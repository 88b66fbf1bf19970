package io.swarmgate.signaling;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.integrity.IntegrityLedger;
import io.swarmgate.integrity.SegmentHashes;
import io.swarmgate.mesh.Coordinator;
import io.swarmgate.mesh.MeshTimings;
import io.swarmgate.mesh.NetworkSet;
import io.swarmgate.policy.PageOrigins;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.stun.StunOffer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling hub behind {@code /ws}: wires the parts together, owns their threads, and
 * dispatches what viewers send. Protocol: docs/protocol.md. Every failure a client can cause ends
 * in an {@code error} message or a close code, never in an exception leaving this class.
 *
 * <ul>
 *   <li>{@link JoinRequests} takes a viewer's {@code hello}, and {@link Admission} decides who may
 *       join (origin, token, trusted networks, client address);
 *       {@link TokenSeats}, kept by {@link ViewerLifecycle}, counts viewers per token;</li>
 *   <li>{@link SessionRegistry} knows every connection and admitted viewer;</li>
 *   <li>{@link Relay} forwards signals between paired viewers, keeping candidates on the LAN;</li>
 *   <li>{@link ViewerLifecycle} welcomes, places, resumes and removes viewers, and
 *       {@link PolicyRecheck} re-checks them after a policy change;</li>
 *   <li>{@link MeshEvents} turns coordinator events into messages;</li>
 *   <li>{@link ViewerReports} takes the viewers' QoE reports, {@link PeerReports} what they say of
 *       their neighbours and their own reach.</li>
 * </ul>
 *
 * <h2>Threads: one direction, no waiting</h2>
 * Inbound messages arrive on Jetty's I/O threads, which check, decode, admit and relay, and hand
 * every change to the mesh to the single {@code signaling-mesh} thread (join, resume, leave,
 * suspend, failing reports, policy re-checks, resume expiry), in submission order. The mesh
 * thread owns the coordinator and the registry's viewer indexes; it decides and encodes but never
 * writes to a socket: a message it produces is queued on its viewer's session, and the write is
 * started on a {@code signaling-send} thread. No thread waits for another: an I/O thread never
 * waits for the mesh thread (a burst of joins to one stream would otherwise park the request
 * pool), and the mesh thread never waits for a socket. Lock-free coordinator reads
 * ({@code isNeighbour}) stay on the I/O threads. Per viewer the order is kept: its admission is
 * queued before anything it sends after, and its leave after its admission.
 *
 * <h2>Bounds</h2>
 * Connections are capped per client address, per IPv6 /64 (one host can use many addresses of
 * its /64) and in total; a connection over a cap is closed right after the upgrade (4002 for the
 * per-address and per-/64 caps, 1013 for the total). The mesh thread's queue ({@link MeshQueue})
 * refuses new joins and {@code failing} reports when {@link #MESH_QUEUE_LIMIT} of them wait: a
 * refused hello is answered with {@code overloaded} and close 1013 (try again later), a refused
 * report with {@code overloaded}. Leaves and suspensions when a socket closes are never refused;
 * resume expiry and policy re-checks are idempotent and wait at most once each. Leader changes
 * are fanned out once per burst ({@link MeshEvents}). Each viewer's outbound queue is bounded
 * too ({@link ViewerSession#MAX_QUEUED}).
 */
public final class SignalingService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);
    /** Invalid messages a connection may send before it is closed. */
    static final int MAX_BAD_MESSAGES = 20;
    /** Rate-limit hits a connection may collect before it is closed. */
    static final int MAX_RATE_VIOLATIONS = 50;
    /** Joins and failing reports that may wait for the mesh thread before new ones are refused. */
    static final int MESH_QUEUE_LIMIT = 10_000;

    private final ApplianceConfig.Signaling settings;
    private final StunOffer stun = new StunOffer();
    private final ViewerReports reports;
    private final Clock clock;
    private final SignalingCodec codec = new SignalingCodec();
    private final SessionRegistry registry = new SessionRegistry();
    private final Errors errors = new Errors();
    private final Admission admission;
    private final Coordinator coordinator;
    private final Relay relay;
    private final ViewerLifecycle lifecycle;
    private final PeerReports peerReports;
    private final JoinRequests joins;
    private final PolicyRecheck recheck;
    private final Sweeper sweeper;
    private final MeshQueue mesh;
    private final AtomicBoolean recheckQueued = new AtomicBoolean();
    private final ExecutorService senders;
    private final SegmentHashes hashes;
    private final HashRequests hashRequests;
    private final IntegrityLedger ledger;

    /**
     * @param pageOrigins the page origins streams without an origin list admit (the appliance's
     *                    own and {@code security.intranet-origins})
     */
    public SignalingService(ApplianceConfig.Mesh mesh, ApplianceConfig.Signaling settings, PolicyService policies,
                            PageOrigins pageOrigins, SegmentHashes hashes, IntegrityLedger ledger, ReportSink reports,
                            Clock clock) {
        this(mesh, settings, policies, pageOrigins, hashes, ledger, reports, clock, MESH_QUEUE_LIMIT);
    }

    /** @param meshQueueLimit joins and failing reports that may wait for the mesh thread */
    SignalingService(ApplianceConfig.Mesh mesh, ApplianceConfig.Signaling settings, PolicyService policies,
                     PageOrigins pageOrigins, SegmentHashes hashes, IntegrityLedger ledger, ReportSink reports,
                     Clock clock, int meshQueueLimit) {
        this.settings = settings;
        this.hashes = hashes;
        this.hashRequests = new HashRequests(hashes, errors);
        this.ledger = ledger;
        this.mesh = new MeshQueue("signaling-mesh", meshQueueLimit);
        this.reports = new ViewerReports(reports, clock);
        this.clock = clock;
        this.admission = new Admission(policies, pageOrigins, NetworkSet.of(mesh.trustedNetworks()),
                NetworkSet.of(settings.trustedProxies()), clock);
        MeshEvents events = new MeshEvents(registry, codec, fanOut -> this.mesh.run("leaders fan-out", fanOut));
        this.coordinator = new Coordinator(policies::rulesFor, events, clock,
                new MeshTimings(Duration.ofMillis(mesh.resumeGraceMs()), MeshTimings.DEFAULT_FAILING_PAIR_BLOCK),
                PeerIds.newSeed());
        events.readLeadersFrom(coordinator);
        this.relay = new Relay(coordinator, registry, new CandidateFilter(NetworkSet.of(mesh.candidateNetworks())), errors);
        this.lifecycle = new ViewerLifecycle(coordinator, registry, events, errors, settings.heartbeatMs(),
                this.reports.httpThroughput(), ledger, clock);
        this.peerReports = new PeerReports(relay, this.mesh, lifecycle, errors, clock);
        this.recheck = new PolicyRecheck(admission, registry, coordinator, lifecycle, errors, clock);
        this.joins = new JoinRequests(admission, this.mesh, lifecycle, recheck, errors);
        policies.addListener(() -> this.mesh.runOnce(recheckQueued, "policy re-check", recheck));
        this.sweeper = new Sweeper(settings, registry, this.mesh, lifecycle, recheck, this.reports.siteFigures(), peerReports, clock);
        AtomicInteger senderNumber = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "signaling-send-" + senderNumber.incrementAndGet()));
        // Load the codec's JSON machinery now, not under the first burst of viewers.
        codec.encode(new ServerMessage.Pong(0L, 0L));
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Sets the one listener told of refusals (the audit log's security digest). */
    public void onRefusal(RefusalListener listener) {
        errors.onRefusal(listener);
    }

    // --- public view ---------------------------------------------------------------------------

    public Coordinator coordinator() {
        return coordinator;
    }

    /** Open signaling connections, including ones that have not said hello yet. */
    public int connections() {
        return registry.connectionCount();
    }

    public long reportsReceived() {
        return reports.received();
    }

    /** The integrity anchor viewers ask for segment hashes. */
    public SegmentHashes hashes() {
        return hashes;
    }

    /** Integrity reports and barred peers. */
    public IntegrityLedger ledger() {
        return ledger;
    }

    /** P2P transfers viewers dropped because the appliance had no hash for the segment, since start. */
    public long unverifiedTransfers() {
        return reports.unverifiedTransfers();
    }

    /**
     * Pairings viewers reported as failing for {@code reason} (one of {@link ClientMessage.Failing#REASONS})
     * since start; {@code connect}: no data channel opened, as when a firewall blocks WebRTC.
     */
    public long failedPairings(String reason) {
        return lifecycle.failedPairings(reason);
    }

    /** Error messages sent, by code, since start. */
    public Map<ErrorCode, Long> errorsSent() {
        return errors.snapshot();
    }

    /** Viewers connected now (admitted, socket open) by stream id and site; a fresh copy. */
    public Map<String, Map<String, Integer>> viewersByStreamAndSite() {
        return registry.countsByStreamAndSite();
    }

    /**
     * Viewers connected now whose pairings fail to connect and who have no data channel open (an
     * endpoint firewall that blocks WebRTC), by stream id and site; a fresh copy.
     */
    public Map<String, Map<String, Integer>> reachingNobodyByStreamAndSite() {
        return registry.countsByStreamAndSite(s -> {
            ViewerSession.Membership m = s.membership();
            return m != null && m.inMesh() && coordinator.reachesNobody(m.peerId());
        });
    }

    /** Per site, the median upload capacity (kbit/s) its viewers measured and reported in the last minute. */
    public Map<String, Long> uploadCapacityBySite() {
        return reports.uploadCapacityBySite();
    }

    /** Per site, the link figure its joiners are told: the last minute's over all its streams, else the remembered one. */
    public Map<String, SiteLink> siteLinks() {
        return reports.siteLinks();
    }

    /** The sites' HTTP throughput, remembered per site: what {@link SiteLinkStore} stores and loads. */
    SiteThroughput httpThroughput() {
        return reports.httpThroughput();
    }

    /**
     * The address a connection speaks for: the right-most {@code X-Forwarded-For} hop that is not a
     * trusted proxy, walking from the TCP peer ({@link Admission#clientAddress}).
     *
     * @param forwardedFor every {@code X-Forwarded-For} value joined with commas in header order, or null
     */
    public InetAddress clientAddress(InetAddress tcpPeer, String forwardedFor) {
        return admission.clientAddress(tcpPeer, forwardedFor);
    }

    /**
     * A new connection from {@code address}; the page's {@code Origin} header may be null, and so
     * may {@code host} (the request's {@code Host}, naming the appliance as the viewer reaches it).
     */
    public Object newSession(InetAddress address, String origin, String urlStream, String host) {
        return new ViewerSession(this, address, origin, urlStream, stun.urlFor(host),
                clock.millis(), settings.messagesPerSecond(), settings.messageBurst());
    }

    /** The STUN responder offered to viewers that connect from now on; closed with this service. */
    public StunOffer stun() {
        return stun;
    }

    // --- threads -------------------------------------------------------------------------------

    /**
     * Starts a session's write: on a {@code signaling-send} thread when called on the mesh thread,
     * else right here (an I/O thread answering its own viewer, or a relay).
     */
    void startWrite(Runnable write) {
        if (!mesh.isMeshThread()) {
            write.run();
            return;
        }
        try {
            senders.execute(write);
        } catch (RejectedExecutionException e) {
            write.run(); // shutting down: the closes still go out
        }
    }

    SignalingCodec codec() {
        return codec;
    }

    // --- I/O side ------------------------------------------------------------------------------

    void opened(ViewerSession s) {
        SessionRegistry.OpenCounts counts = registry.opened(s);
        if (counts.total() > settings.maxConnections()) {
            LOG.info("{} - refused: {} signaling connections open", s.address, counts.total());
            s.close(CloseCodes.TRY_AGAIN_LATER, "too many connections to the appliance; try again later");
        } else if (counts.fromAddress() > settings.maxConnectionsPerIp()) {
            LOG.info("{} - refused: {} connections from this address", s.address, counts.fromAddress());
            s.close(CloseCodes.TOO_MANY_CONNECTIONS, "too many connections from this address");
        } else if (counts.fromIpv6Prefix() > settings.maxConnectionsPerIpv6Prefix()) {
            LOG.info("{} - refused: {} connections from its /64", s.address, counts.fromIpv6Prefix());
            s.close(CloseCodes.TOO_MANY_CONNECTIONS, "too many connections from this /64 network");
        } else {
            // Before hello: with the STUN responder offered, the viewer need not find out first
            // whether its browser hides its addresses (the SDK's mDNS probe), which costs a
            // starting page a peer connection and a few hundred ms of its join.
            s.send(new ServerMessage.Ready(s.stunUrl != null));
        }
    }

    void closed(ViewerSession s, int code) {
        registry.closed(s);
        if (s.helloSeen()) {
            boolean bye = s.saidBye();
            mesh.run("leave", () -> lifecycle.closed(s, bye, code));
        }
    }

    void received(ViewerSession s, String text) {
        if (!s.tryTake(clock.millis())) {
            errors.send(s, ErrorCode.RATE_LIMITED, "more than " + settings.messagesPerSecond()
                    + " messages per second; message dropped", null);
            if (s.rateViolation() > MAX_RATE_VIOLATIONS) {
                s.close(CloseCodes.RATE_LIMIT, "rate limit exceeded repeatedly");
            }
            return;
        }
        try {
            dispatch(s, codec.decode(text));
        } catch (ProtocolException e) {
            rejected(s, e);
        }
    }

    void rejected(ViewerSession s, ProtocolException e) {
        errors.send(s, e.code(), e.getMessage(), e.ref());
        if (e.code().abuse()) {
            int bad = s.badMessage();
            if (bad > MAX_BAD_MESSAGES) {
                LOG.info("{} - closed after {} invalid messages", s.label(), bad);
                s.close(CloseCodes.TOO_MANY_ERRORS, "too many invalid messages");
            }
        }
    }

    private void dispatch(ViewerSession s, ClientMessage message) throws ProtocolException {
        if (message instanceof ClientMessage.Hello hello) {
            if (s.helloSeen()) {
                throw new ProtocolException(ErrorCode.ALREADY_JOINED, "hello was already accepted", "hello");
            }
            joins.hello(s, hello);
            return;
        }
        if (!s.helloSeen()) {
            throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "send hello first", message.type());
        }
        if (message instanceof ClientMessage.Ping ping) {
            s.send(new ServerMessage.Pong(ping.t(), clock.millis()));
            return;
        }
        if (message instanceof ClientMessage.Bye) {
            s.byeReceived();
            s.close(CloseCodes.NORMAL, "bye");
            return;
        }
        ViewerSession.Membership m = s.membership();
        if (m == null) {
            throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "wait for welcome", message.type());
        }
        if (message instanceof ClientMessage.Signal signal) {
            relay.signal(s, m, signal);
        } else if (message instanceof ClientMessage.HashRequest ask) {
            hashRequests.answer(s, m, ask);
        } else if (message instanceof ClientMessage.Failing failing) {
            peerReports.failing(s, m, failing);
        } else if (message instanceof ClientMessage.Report report) {
            reports.accept(m, report);
            peerReports.reach(s, report);
        } else if (message instanceof ClientMessage.Tracks tracks) {
            peerReports.tracks(s, tracks);
        }
    }

    /**
     * Tells every connected viewer to move ({@code move}, then close 1001): they reconnect to the
     * same URL after a random delay below {@code withinMs}, through the load balancer to another
     * appliance (or to this one when it is back). Returns how many were told.
     */
    public int moveEveryone(String reason, long withinMs) {
        return registry.shutDownAll(new ServerMessage.Move(reason, withinMs), "appliance " + reason);
    }

    /** Closes every connection with 1001 and stops the timers. */
    @Override
    public void close() {
        sweeper.close();
        mesh.close();
        registry.shutDownAll(null, "appliance shutting down");
        senders.shutdown();
        stun.close();
    }
}
