package io.swarmgate.signaling;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.mesh.Coordinator;
import io.swarmgate.mesh.JoinResult;
import io.swarmgate.mesh.MeshListener;
import io.swarmgate.mesh.MeshTimings;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.PeerInfo;
import io.swarmgate.mesh.Site;
import io.swarmgate.mesh.UnassignReason;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.ViewerTokens;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling hub behind {@code /ws}: admits viewers (origin, token, trusted networks), places
 * them in the coordinator, turns coordinator events into messages, relays signals only between
 * assigned neighbours, enforces the abuse limits, and pushes policy changes. Protocol:
 * docs/protocol.md. Every failure a client can cause ends in an {@code error} message or a close
 * code, never in an exception leaving this class.
 *
 * <h2>Threading</h2>
 * Inbound messages arrive on Jetty's I/O threads. Every change to the coordinator (join, leave,
 * suspend, resume, failing reports, re-joins after a policy change) runs on one {@code
 * signaling-mesh} thread, in submission order, and so do the neighbour and leader messages that
 * result. I/O threads therefore never wait for a stream's lock: when they did, a burst of joins
 * to one stream parked the whole request pool on that lock, and upgrades and messages of every
 * other viewer waited for a free thread. Lock-free coordinator reads ({@code isNeighbour}) stay
 * on the I/O threads. Per viewer the order is kept: its join is queued after its welcome was
 * sent, its leave after its join.
 *
 * <p>The mesh thread decides and encodes; it does not write to sockets. A message it produces is
 * queued on its viewer's session in order, and when that session was idle, the write is started
 * on a {@code signaling-send} thread: a join produces about a dozen messages (neighbours both
 * ways, leaders), and their socket writes took half of the mesh thread's time, during which the
 * next joins waited.
 */
public final class SignalingService implements MeshListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);
    /** Invalid messages a connection may send before it is closed. */
    static final int MAX_BAD_MESSAGES = 20;
    /** Rate-limit hits a connection may collect before it is closed. */
    static final int MAX_RATE_VIOLATIONS = 50;
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final ApplianceConfig.Signaling settings;
    private final PolicyService policies;
    private final ReportSink reports;
    private final Clock clock;
    private final SignalingCodec codec = new SignalingCodec();
    private final Coordinator coordinator;
    private final Networks trustedNetworks;
    private final Networks trustedProxies;
    private final CandidateFilter candidates;
    /**
     * Peer ids and resume secrets come from one DRBG per thread. The platform default on Linux,
     * NativePRNG, takes one process-wide lock per call (plus a SHA-1 and a /dev/urandom read);
     * with ten calls per hello, a burst of joins left dozens of request threads queued on it.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SignalingService::newRandom);

    private final Set<ViewerSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, ViewerSession> byPeer = new ConcurrentHashMap<>();
    private final Map<String, Set<ViewerSession>> bySwarmSite = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong reportCount = new AtomicLong();
    private final Map<ErrorCode, AtomicLong> errorCounts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final ExecutorService mesh;
    private volatile Thread meshThread;
    private final ExecutorService senders;

    public SignalingService(ApplianceConfig.Mesh mesh, ApplianceConfig.Signaling settings, PolicyService policies,
                            ReportSink reports, Clock clock) {
        this.settings = settings;
        this.policies = policies;
        this.reports = reports;
        this.clock = clock;
        this.trustedNetworks = new Networks(mesh.trustedNetworks());
        this.trustedProxies = new Networks(settings.trustedProxies());
        this.candidates = new CandidateFilter(new Networks(mesh.candidateNetworks()));
        this.coordinator = new Coordinator(policies::rulesFor, this, clock,
                new MeshTimings(Duration.ofMillis(mesh.resumeGraceMs()), MeshTimings.DEFAULT_FAILING_PAIR_BLOCK),
                RANDOM.get().nextLong());
        policies.addListener(this::policiesChanged);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "signaling-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        this.mesh = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "signaling-mesh");
            t.setDaemon(true);
            meshThread = t;
            return t;
        });
        AtomicInteger senderNumber = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "signaling-send-" + senderNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Load the codec's JSON machinery now, not under the first burst of viewers.
        codec.encode(new ServerMessage.Pong(0L, 0L));
    }

    /** Runs a coordinator change on the mesh thread; a failure is logged, never thrown at a viewer. */
    private void onMesh(String what, Runnable change) {
        try {
            mesh.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    LOG.warn("signaling - {} failed", what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("signaling - {} dropped: shutting down", what);
        }
    }

    /** Runs a coordinator query on the mesh thread after every change queued before it, and waits. */
    private <T> T onMeshAndWait(Callable<T> query) {
        try {
            return mesh.submit(query).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Starts a session's write: on a {@code signaling-send} thread when called on the mesh thread,
     * else right here (an I/O thread answering its own viewer, or a relay).
     */
    void startWrite(Runnable write) {
        if (Thread.currentThread() != meshThread) {
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

    public Coordinator coordinator() {
        return coordinator;
    }

    /** Open signaling connections, including ones that have not said hello yet. */
    public int connections() {
        return sessions.size();
    }

    public long reportsReceived() {
        return reportCount.get();
    }

    /** Error messages sent, by code, since start. */
    public Map<ErrorCode, Long> errorsSent() {
        Map<ErrorCode, Long> out = new java.util.EnumMap<>(ErrorCode.class);
        errorCounts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /**
     * Viewers connected now (joined, socket open) by stream id and site; a fresh copy. Cost is one
     * pass over the stream × site groups, not over the viewers.
     */
    public Map<String, Map<String, Integer>> viewersByStreamAndSite() {
        Map<String, Map<String, Integer>> out = new java.util.TreeMap<>();
        bySwarmSite.forEach((key, members) -> {
            int cut = key.indexOf('\n');
            int n = members.size();
            if (n > 0) {
                out.computeIfAbsent(key.substring(0, cut), k -> new java.util.TreeMap<>()).merge(key.substring(cut + 1), n,
                        Integer::sum);
            }
        });
        return out;
    }

    /**
     * The address a connection speaks for: the TCP peer, or the first {@code X-Forwarded-For}
     * entry when the TCP peer is a trusted proxy.
     */
    public InetAddress clientAddress(InetAddress tcpPeer, String forwardedFor) {
        if (forwardedFor != null && trustedProxies.contains(tcpPeer)) {
            String first = forwardedFor.split(",")[0].strip();
            try {
                return io.swarmgate.mesh.IpLiteral.toInetAddress(first);
            } catch (IllegalArgumentException e) {
                LOG.debug("{} - ignoring malformed X-Forwarded-For '{}'", tcpPeer, SignalingCodec.truncate(first));
            }
        }
        return tcpPeer;
    }

    /** A new connection from {@code address}; the page's {@code Origin} header may be null. */
    public Object newSession(InetAddress address, String origin) {
        return new ViewerSession(this, address, origin, clock.millis(), settings.messagesPerSecond(),
                settings.messageBurst());
    }

    void opened(ViewerSession s) {
        int count = perAddress.computeIfAbsent(s.address, a -> new AtomicInteger()).incrementAndGet();
        sessions.add(s);
        if (count > settings.maxConnectionsPerIp()) {
            LOG.info("{} - refused: {} connections from this address", s.address, count);
            s.close(CloseCodes.TOO_MANY_CONNECTIONS, "too many connections from this address");
        }
    }

    void closed(ViewerSession s, int code) {
        sessions.remove(s);
        perAddress.computeIfPresent(s.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        if (!s.joined() || s.replaced) {
            return;
        }
        leaveSwarmSite(s);
        if (!s.inMesh) {
            byPeer.remove(s.peerId, s);
            LOG.debug("{} - left", s.peerId);
            return;
        }
        onMesh("leave", () -> {
            if (s.replaced) {
                return; // resumed on another connection meanwhile
            }
            if (s.byeReceived) {
                byPeer.remove(s.peerId, s);
                coordinator.leave(s.peerId);
                LOG.debug("{} - left", s.peerId);
            } else if (!coordinator.suspend(s.peerId)) {
                byPeer.remove(s.peerId, s);
            } else {
                LOG.debug("{} - disconnected ({}); held for resume", s.peerId, code);
            }
        });
    }

    void received(ViewerSession s, String text) {
        long now = clock.millis();
        s.lastSeen = now;
        if (!s.tryTake(now)) {
            s.rateViolations++;
            error(s, ErrorCode.RATE_LIMITED, "more than " + settings.messagesPerSecond()
                    + " messages per second; message dropped", null);
            if (s.rateViolations > MAX_RATE_VIOLATIONS) {
                s.close(CloseCodes.RATE_LIMIT, "rate limit exceeded repeatedly");
            }
            return;
        }
        ClientMessage message;
        try {
            message = codec.decode(text);
        } catch (ProtocolException e) {
            rejected(s, e);
            return;
        }
        try {
            dispatch(s, message);
        } catch (ProtocolException e) {
            rejected(s, e);
        }
    }

    void rejected(ViewerSession s, ProtocolException e) {
        error(s, e.code(), e.getMessage(), e.ref());
        if (e.code().abuse() && ++s.badMessages > MAX_BAD_MESSAGES) {
            LOG.info("{} - closed after {} invalid messages", s.peerId == null ? s.address : s.peerId, s.badMessages);
            s.close(CloseCodes.TOO_MANY_ERRORS, "too many invalid messages");
        }
    }

    private void error(ViewerSession s, ErrorCode code, String message, String ref) {
        errorCounts.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
        s.send(new ServerMessage.Error(code, message, ref));
    }

    private void dispatch(ViewerSession s, ClientMessage message) throws ProtocolException {
        if (message instanceof ClientMessage.Hello hello) {
            if (s.joined()) {
                throw new ProtocolException(ErrorCode.ALREADY_JOINED, "hello was already accepted", "hello");
            }
            hello(s, hello);
            return;
        }
        if (!s.joined()) {
            throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "send hello first", message.type());
        }
        if (message instanceof ClientMessage.Signal signal) {
            relay(s, signal);
        } else if (message instanceof ClientMessage.Failing failing) {
            requireNeighbour(s, failing.peer(), "failing");
            String reporter = s.peerId;
            onMesh("failing report", () -> coordinator.reportFailing(reporter, failing.peer()));
        } else if (message instanceof ClientMessage.Report report) {
            reportCount.incrementAndGet();
            LOG.debug("{} - report: http {} B, p2p {} B, stalls {}", s.peerId, report.httpBytes(), report.p2pBytes(),
                    report.stalls());
            reports.accept(s.streamId, s.site, s.peerId, report);
        } else if (message instanceof ClientMessage.Ping ping) {
            s.send(new ServerMessage.Pong(ping.t(), clock.millis()));
        } else if (message instanceof ClientMessage.Bye) {
            s.byeReceived = true;
            s.close(CloseCodes.NORMAL, "bye");
        }
    }

    private void requireNeighbour(ViewerSession s, String other, String ref) throws ProtocolException {
        if (!s.inMesh || !coordinator.isNeighbour(s.peerId, other)) {
            throw new ProtocolException(ErrorCode.NOT_NEIGHBOUR, SignalingCodec.truncate(other)
                    + " is not your neighbour", ref);
        }
    }

    private void relay(ViewerSession s, ClientMessage.Signal signal) throws ProtocolException {
        requireNeighbour(s, signal.to(), "signal");
        ServerMessage.RelayedSignal out;
        if (signal.candidate() != null) {
            String why = candidates.rejection(signal.candidate().candidate());
            if (why != null) {
                error(s, ErrorCode.CANDIDATE_REJECTED, why, "signal");
                return;
            }
            out = new ServerMessage.RelayedSignal(s.peerId, signal.kind(), null, signal.candidate());
        } else {
            out = new ServerMessage.RelayedSignal(s.peerId, signal.kind(), candidates.filterSdp(signal.sdp()), null);
        }
        ViewerSession target = byPeer.get(signal.to());
        if (target != null) {
            target.send(out);
        }
    }

    // --- admission -----------------------------------------------------------------------------

    private void hello(ViewerSession s, ClientMessage.Hello hello) throws ProtocolException {
        if (hello.version() != SignalingCodec.VERSION) {
            error(s, ErrorCode.UNSUPPORTED_VERSION, "this appliance speaks signaling protocol v"
                    + SignalingCodec.VERSION + ", not v" + hello.version(), "hello");
            s.close(CloseCodes.UNSUPPORTED_VERSION, "unsupported protocol version");
            return;
        }
        PolicyService.ResolvedStream resolved = policies.resolve(hello.stream());
        StreamPolicy policy = resolved.policy();
        if (!policy.allowsOrigin(s.origin)) {
            refuse(s, ErrorCode.ORIGIN_NOT_ALLOWED, "pages from " + (s.origin == null ? "no origin" : s.origin)
                    + " may not join stream " + resolved.streamId());
            return;
        }
        if (policy.requiresToken()) {
            if (hello.token() == null) {
                refuse(s, ErrorCode.TOKEN_REQUIRED, "this stream requires a viewer token");
                return;
            }
            try {
                ViewerTokens.verify(policy.tokenSecret(), policy.id(), hello.token(), clock.instant());
            } catch (ViewerTokens.TokenException e) {
                refuse(s, e.failure() == ViewerTokens.Failure.EXPIRED ? ErrorCode.TOKEN_EXPIRED : ErrorCode.TOKEN_INVALID,
                        e.getMessage());
                return;
            }
        }
        Site site = policies.siteMap().resolve(s.address);
        boolean trusted = policy.securityLevel() != SecurityLevel.INTERMEDIATE || trustedNetworks.contains(s.address);
        if (!trusted) {
            error(s, ErrorCode.NOT_TRUSTED_NETWORK, s.address.getHostAddress()
                    + " is outside the trusted networks; playing over HTTP only", "hello");
        }
        if (hello.resume() != null && resume(s, hello, resolved)) {
            return;
        }
        s.peerId = newPeerId();
        s.secret = newSecret();
        s.streamRef = hello.stream();
        s.streamId = resolved.streamId();
        s.site = site.name();
        s.policy = policy;
        s.caps = hello.caps();
        s.inMesh = trusted && policy.modeFor(site.name()) != P2pMode.OFF;
        s.effective = effective(policy, site.name(), trusted);
        byPeer.put(s.peerId, s);
        bySwarmSite.computeIfAbsent(swarmSite(s), k -> ConcurrentHashMap.newKeySet()).add(s);
        // Welcome goes out before the join so that it precedes every neighbour event about this viewer.
        s.send(welcome(s, false));
        if (s.inMesh) {
            join(s);
        }
        LOG.debug("{} - joined {} in site {} from {}", s.peerId, s.streamId, s.site, s.address);
    }

    private void refuse(ViewerSession s, ErrorCode code, String message) {
        error(s, code, message, "hello");
        s.close(CloseCodes.POLICY_VIOLATION, code.wire());
    }

    /** Queues the viewer's placement in the mesh; its neighbours and leaders follow from the mesh thread. */
    private void join(ViewerSession s) {
        PeerInfo peer = new PeerInfo(s.peerId, s.streamId, s.site, s.caps.upload(), s.caps.network(),
                s.caps.uploadKbps());
        onMesh("join", () -> {
            JoinResult result = coordinator.join(peer);
            s.send(new ServerMessage.Leaders(result.leaders()));
        });
    }

    private boolean resume(ViewerSession s, ClientMessage.Hello hello, PolicyService.ResolvedStream resolved) {
        String id = hello.resume().peerId();
        ViewerSession old = byPeer.get(id);
        boolean secretOk = old != null && old.secret != null && MessageDigest.isEqual(
                old.secret.getBytes(StandardCharsets.US_ASCII), hello.resume().secret().getBytes(StandardCharsets.US_ASCII));
        if (!secretOk || !old.streamId.equals(resolved.streamId()) || !old.address.equals(s.address)) {
            error(s, ErrorCode.RESUME_FAILED, "cannot resume " + SignalingCodec.truncate(id) + "; joining as a new viewer",
                    "hello");
            return false;
        }
        if (!old.closed) {
            // The viewer reconnected before its old socket was noticed dead: take over quietly.
            old.replaced = true;
            old.close(CloseCodes.NORMAL, "resumed on another connection");
        } else if (old.inMesh && !onMeshAndWait(() -> coordinator.resume(id))) {
            error(s, ErrorCode.RESUME_FAILED, "the resume grace of " + SignalingCodec.truncate(id)
                    + " has passed; joining as a new viewer", "hello");
            return false;
        }
        s.peerId = id;
        s.secret = old.secret;
        s.streamRef = old.streamRef;
        s.streamId = old.streamId;
        s.site = old.site;
        s.policy = old.policy;
        s.caps = old.caps;
        s.inMesh = old.inMesh;
        s.effective = old.effective;
        byPeer.put(id, s);
        leaveSwarmSite(old);
        bySwarmSite.computeIfAbsent(swarmSite(s), k -> ConcurrentHashMap.newKeySet()).add(s);
        s.send(welcome(s, true));
        if (s.inMesh) {
            // The resumed viewer re-offers to every neighbour it still has; peers with a live
            // connection to it ignore the duplicate. On the mesh thread, after pending changes.
            onMesh("resume", () -> {
                for (String n : coordinator.neighbours(id)) {
                    s.send(new ServerMessage.Neighbour(n, true, siteOf(n)));
                }
                s.send(new ServerMessage.Leaders(coordinator.leaders(s.streamId, s.site)));
            });
        }
        LOG.debug("{} - resumed", id);
        return true;
    }

    private ServerMessage.Welcome welcome(ViewerSession s, boolean resumed) {
        return new ServerMessage.Welcome(s.peerId, s.secret, resumed, s.site, s.streamId, settings.heartbeatMs(),
                s.effective);
    }

    private ServerMessage.Policy effective(StreamPolicy p, String site, boolean trusted) {
        P2pMode mode = trusted ? p.modeFor(site) : P2pMode.OFF;
        return new ServerMessage.Policy(mode.wire(), p.maxNeighbours(), p.uploadOnCellular());
    }

    private static String swarmSite(ViewerSession s) {
        return s.streamId + '\n' + s.site;
    }

    private void leaveSwarmSite(ViewerSession s) {
        bySwarmSite.computeIfPresent(swarmSite(s), (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    private String newPeerId() {
        char[] id = new char[10];
        byte[] bytes = new byte[id.length];
        RANDOM.get().nextBytes(bytes);
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[(bytes[i] & 0xff) % ID_ALPHABET.length]; // 256 is a multiple of 32: uniform
        }
        return "p-" + new String(id);
    }

    private String newSecret() {
        byte[] b = new byte[16];
        RANDOM.get().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // --- coordinator events --------------------------------------------------------------------

    @Override
    public void assigned(String peerId, String neighbourId, boolean youOffer) {
        ViewerSession s = byPeer.get(peerId);
        if (s != null) {
            s.send(new ServerMessage.Neighbour(neighbourId, youOffer, siteOf(neighbourId)));
        }
    }

    private String siteOf(String peerId) {
        ViewerSession s = byPeer.get(peerId);
        return s == null ? null : s.site;
    }

    @Override
    public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        ViewerSession s = byPeer.get(peerId);
        if (s != null) {
            s.send(new ServerMessage.NeighbourGone(neighbourId, switch (reason) {
                case REPORTED_FAILING -> "failing";
                case REBALANCED -> "rebalanced";
                case NEIGHBOUR_LEFT, RESUME_EXPIRED -> "left";
            }));
        }
    }

    @Override
    public void leadersChanged(String streamId, String site, List<String> leaders) {
        Set<ViewerSession> members = bySwarmSite.get(streamId + '\n' + site);
        if (members == null) {
            return;
        }
        String text = codec.encode(new ServerMessage.Leaders(leaders));
        for (ViewerSession s : members) {
            s.sendText(text);
        }
    }

    // --- policy changes ------------------------------------------------------------------------

    /**
     * Re-evaluates every connected viewer against the changed policies: viewers the new policy
     * refuses are disconnected, viewers whose mesh rules changed are placed again (their old
     * neighbours hear {@code neighbour-gone}), and everyone whose effective policy changed gets a
     * {@code policy} message.
     */
    private void policiesChanged() {
        for (ViewerSession s : byPeer.values()) {
            if (s.closed || !s.joined()) {
                continue;
            }
            try {
                reevaluate(s);
            } catch (RuntimeException e) {
                LOG.warn("{} - could not apply the policy change", s.peerId, e);
            }
        }
    }

    private void reevaluate(ViewerSession s) {
        PolicyService.ResolvedStream resolved = policies.resolve(s.streamRef);
        StreamPolicy next = resolved.policy();
        if (!next.allowsOrigin(s.origin)) {
            refuse(s, ErrorCode.ORIGIN_NOT_ALLOWED, "the stream policy no longer allows pages from " + s.origin);
            return;
        }
        if (next.requiresToken() && !s.policy.requiresToken()) {
            refuse(s, ErrorCode.TOKEN_REQUIRED, "the stream policy now requires a viewer token");
            return;
        }
        boolean trusted = next.securityLevel() != SecurityLevel.INTERMEDIATE || trustedNetworks.contains(s.address);
        ServerMessage.Policy effective = effective(next, s.site, trusted);
        boolean inMesh = trusted && next.modeFor(s.site) != P2pMode.OFF;
        boolean rulesChanged = !resolved.streamId().equals(s.streamId)
                || !policies.rules(next).equals(policies.rules(s.policy)) || inMesh != s.inMesh;
        s.policy = next;
        if (!effective.equals(s.effective)) {
            s.effective = effective;
            s.send(new ServerMessage.PolicyUpdate(effective));
        }
        if (rulesChanged) {
            if (s.inMesh) {
                String id = s.peerId;
                onMesh("policy re-join", () -> {
                    for (String n : coordinator.neighbours(id)) {
                        s.send(new ServerMessage.NeighbourGone(n, "policy"));
                    }
                    coordinator.leave(id);
                });
            }
            leaveSwarmSite(s);
            s.streamId = resolved.streamId();
            s.inMesh = inMesh;
            bySwarmSite.computeIfAbsent(swarmSite(s), k -> ConcurrentHashMap.newKeySet()).add(s);
            if (inMesh) {
                join(s);
            }
        }
    }

    // --- timers --------------------------------------------------------------------------------

    private void sweep() {
        try {
            long now = clock.millis();
            long heartbeatTimeout = 3L * settings.heartbeatMs();
            for (ViewerSession s : sessions) {
                if (!s.joined() && now - s.openedAt > settings.helloTimeoutMs()) {
                    s.close(CloseCodes.HELLO_TIMEOUT, "no hello");
                } else if (now - s.lastSeen > heartbeatTimeout) {
                    s.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
                }
            }
            onMesh("resume expiry", () -> {
                for (String id : coordinator.expireSuspended()) {
                    ViewerSession s = byPeer.get(id);
                    if (s != null && s.closed) {
                        byPeer.remove(id, s);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("signaling - sweep failed", e);
        }
    }

    /** Closes every connection with 1001 and stops the timers. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        mesh.shutdown();
        for (ViewerSession s : sessions) {
            s.close(CloseCodes.SHUTDOWN, "appliance shutting down");
        }
        senders.shutdown();
    }
}
