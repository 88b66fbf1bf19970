package io.swarmgate.signaling;

import io.swarmgate.integrity.IntegrityLedger;
import io.swarmgate.mesh.Coordinator;
import io.swarmgate.mesh.JoinResult;
import io.swarmgate.mesh.PeerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an admitted viewer: its welcome and placement in the mesh, its resume on a new
 * connection, its departure or suspension when its socket closes, and the end of its resume
 * grace. Every method runs on the mesh thread, which owns the coordinator and the registry's
 * viewer indexes; messages are queued on the sessions and written by the send threads. Nothing
 * here waits for another thread.
 */
final class ViewerLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerLifecycle.class);

    private final Coordinator coordinator;
    private final SessionRegistry registry;
    private final MeshEvents events;
    private final Errors errors;
    private final int heartbeatMs;
    private final SiteThroughput throughput;
    private final Clock clock;
    private final TokenSeats seats = new TokenSeats();
    private final IntegrityLedger ledger;
    private final StallReports stallReports = new StallReports();
    private final ConnectReports connectReports = new ConnectReports();
    /** Pairings reported as failing, by reason (the codec admits only {@link ClientMessage.Failing#REASONS}). */
    private final Map<String, LongAdder> failedPairings = ClientMessage.Failing.REASONS.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(r -> r, r -> new LongAdder()));

    ViewerLifecycle(Coordinator coordinator, SessionRegistry registry, MeshEvents events, Errors errors,
                    int heartbeatMs, SiteThroughput throughput, IntegrityLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.throughput = throughput;
        this.clock = clock;
        this.coordinator = coordinator;
        this.registry = registry;
        this.events = events;
        this.errors = errors;
        this.heartbeatMs = heartbeatMs;
    }

    /**
     * Admits a viewer whose hello passed {@link Admission}: resumes its earlier place when it asked
     * to and may, else welcomes it under {@code newId} and places it. The welcome precedes every
     * neighbour message about the viewer.
     */
    void admit(ViewerSession s, ClientMessage.Hello hello, Admission.Admitted a, String newId, String newSecret) {
        if (s.closed()) {
            return; // the socket closed while the hello waited for this thread
        }
        if (hello.resume() != null && resume(s, hello.resume(), a)) {
            return;
        }
        if (!takeSeat(s, a)) {
            return;
        }
        ViewerSession.Membership m = new ViewerSession.Membership(newId, newSecret, hello.caps(), a.site(),
                ViewerSession.Membership.linkOf(a.site(), hello.caps().mdns(), s.stunUrl != null, s.address), hello.stream(),
                a.streamId(), a.policy(), a.effective(), a.inMesh(), a.token(), false);
        if (ledger.barred(a.streamId(), s.address)) {
            m = m.asBarred(); // a peer barred here recently, back under a new id
            LOG.info("{} - joins {} barred: its address {} was barred on this stream", newId, a.streamId(),
                    s.address.getHostAddress());
        }
        s.admit(m);
        registry.register(s);
        place(s, welcome(m, false));
        LOG.debug("{} - joined {} in site {} from {}", m.peerId(), m.streamId(), m.site(), s.address);
    }

    /**
     * Puts an admitted viewer into its site's group (it counts as watching before it hears a word)
     * and, when it is in the mesh, into the coordinator, after sending {@code first} if given.
     * The viewer receives exactly one {@code leaders} message, after its neighbours: the site's
     * fan-out when one is queued ({@link MeshEvents}: the join changed the leaders, or an earlier
     * change in the same burst did), else the one sent here.
     */
    void place(ViewerSession s, ServerMessage first) {
        ViewerSession.Membership m = s.membership();
        registry.enterSwarmSite(s);
        if (first != null) {
            s.send(first);
        }
        if (!m.inMesh()) {
            return;
        }
        JoinResult result = coordinator.join(new PeerInfo(m.peerId(), m.streamId(), m.site(), m.caps().offersUpload(),
                m.caps().network(), m.caps().uploadKbps(), m.link()));
        // A join that changed the leaders marked the site: the queued fan-out is its one list.
        if (!events.leadersPending(m.streamId(), m.swarm())) {
            s.send(new ServerMessage.Leaders(coordinator.siteLeaders(m.streamId(), m.swarm())));
        }
    }

    /**
     * The viewer's socket closed: after {@code bye}, or when it is not in the mesh, it leaves for
     * good; otherwise the coordinator holds its place for the resume grace.
     */
    void closed(ViewerSession s, boolean byeReceived, int code) {
        seats.release(s); // only connected viewers count against a token's limit
        ViewerSession.Membership m = s.membership();
        if (m == null || s.isReplaced()) {
            return; // never admitted, or resumed on another connection
        }
        registry.leaveSwarmSite(s);
        if (!m.inMesh()) {
            registry.unregister(s);
        } else if (byeReceived) {
            registry.unregister(s);
            coordinator.leave(m.peerId());
        } else if (!coordinator.suspend(m.peerId())) {
            registry.unregister(s);
        } else {
            LOG.debug("{} - disconnected ({}); held for resume", m.peerId(), code);
            return;
        }
        LOG.debug("{} - left", m.peerId());
    }

    /** Forgets viewers whose resume grace has passed; pairs again those whose pause of pairing is over. */
    void expireSuspended() {
        coordinator.endPairingPauses();
        for (String id : coordinator.expireSuspended()) {
            ViewerSession s = registry.byPeer(id);
            if (s != null && s.closed()) {
                registry.unregister(s);
            }
        }
    }

    /**
     * {@code reporter} says its connection to {@code failing} fails: the pair is separated. For
     * {@code integrity} (bytes that failed the appliance's hash) the accused never leads again and
     * the report counts towards barring it ({@link IntegrityLedger}); for {@code timeout} (its
     * transfers stalled) it never leads again once viewers at two addresses said so
     * ({@link StallReports}).
     */
    void reportFailing(ViewerSession reporter, String failing, String reason) {
        ViewerSession.Membership r = reporter.membership();
        if (r == null) {
            return;
        }
        if (coordinator.isNeighbour(r.peerId(), failing)) {
            failedPairings.get(reason).increment();
        }
        ViewerSession accused = registry.byPeer(failing);
        ViewerSession.Membership a = accused == null ? null : accused.membership();
        boolean sameStream = a != null && a.streamId().equals(r.streamId());
        if (sameStream && "connect".equals(reason)) {
            // Either side may be the one that reaches nobody: the pairing counts for both. Counted
            // before the pair is separated, so that a side found to reach nobody pauses its pairing
            // now instead of being paired with the next colleague first.
            apply(reporter, connectReports.connectFailed(r.peerId(), reporter.address, accused.address));
            apply(accused, connectReports.connectFailed(failing, accused.address, reporter.address));
        }
        coordinator.reportFailing(r.peerId(), failing);
        if (!sameStream || (!"integrity".equals(reason) && !"timeout".equals(reason))) {
            return;
        }
        if ("timeout".equals(reason)) {
            if (stallReports.report(failing, reporter.address) && coordinator.distrust(failing)) {
                LOG.info("{} - no longer leads {} in site {}: its transfers stalled for viewers at {} addresses"
                        + " (its address {})", failing, a.streamId(), a.site(), StallReports.TO_STOP_LEADING,
                        accused.address.getHostAddress());
            }
            return;
        }
        coordinator.distrust(failing);
        if (ledger.report(a.streamId(), a.site(), failing, accused.address, reporter.address)
                == IntegrityLedger.Verdict.BARRED) {
            bar(accused);
        }
    }

    /** Pairings of neighbours reported as failing for {@code reason} since start. Any thread. */
    long failedPairings(String reason) {
        LongAdder n = failedPairings.get(reason);
        return n == null ? 0 : n.sum();
    }

    /** The renditions the viewer's player loads now: it may lead those among their viewers. */
    void tracks(ViewerSession s, List<String> tracks) {
        ViewerSession.Membership m = s.membership();
        if (m != null && m.inMesh()) {
            coordinator.tracks(m.peerId(), tracks);
        }
    }

    /**
     * The viewer's report said whether it has a data channel open: with pairings failing to
     * connect, none open stops it leading and pauses its pairing after each failure
     * ({@link ConnectReports}); one open lets it lead and be paired again.
     */
    void reported(ViewerSession s, boolean anyOpen) {
        ViewerSession.Membership m = s.membership();
        if (m != null && m.inMesh()) {
            apply(s, connectReports.reported(m.peerId(), anyOpen));
        }
    }

    private void apply(ViewerSession s, ConnectReports.Change change) {
        ViewerSession.Membership m = s.membership();
        if (change == ConnectReports.Change.NONE || m == null) {
            return;
        }
        boolean reachable = change == ConnectReports.Change.MAY_LEAD;
        if (coordinator.reachable(m.peerId(), reachable)) {
            if (reachable) {
                LOG.info("{} - may lead {} in site {} again: it has a data channel open (its address {})",
                        m.peerId(), m.streamId(), m.site(), s.address.getHostAddress());
            } else {
                LOG.info("{} - no longer leads {} in site {} while it reaches no neighbour: it has no data channel"
                        + " open and pairings with viewers at {} other addresses failed to connect (its address {};"
                        + " an endpoint firewall that blocks WebRTC?)", m.peerId(), m.streamId(), m.site(),
                        ConnectReports.TO_STOP_LEADING, s.address.getHostAddress());
            }
        }
    }

    /**
     * Takes a viewer out of the mesh for good on this stream: it hears {@code neighbour-gone}
     * ({@code barred}) for each neighbour and a policy with P2P off; its neighbours hear that it
     * left and get replacements. It keeps watching over HTTP.
     */
    private void bar(ViewerSession s) {
        ViewerSession.Membership m = s.membership();
        if (m == null || m.barred()) {
            return;
        }
        if (m.inMesh()) {
            for (String n : coordinator.neighbours(m.peerId())) {
                s.send(new ServerMessage.NeighbourGone(n, "barred"));
            }
            coordinator.leave(m.peerId());
        }
        ViewerSession.Membership barred = m.asBarred();
        s.moveTo(barred);
        s.send(new ServerMessage.PolicyUpdate(barred.effective()));
    }

    private boolean resume(ViewerSession s, ClientMessage.Resume resume, Admission.Admitted a) {
        String id = resume.peerId();
        ViewerSession old = registry.byPeer(id);
        ViewerSession.Membership held = old == null ? null : old.membership();
        boolean secretOk = held != null && MessageDigest.isEqual(held.secret().getBytes(StandardCharsets.US_ASCII),
                resume.secret().getBytes(StandardCharsets.US_ASCII));
        if (!secretOk || !held.streamId().equals(a.streamId()) || !old.address.equals(s.address)) {
            errors.send(s, ErrorCode.RESUME_FAILED, "cannot resume " + SignalingCodec.truncate(id)
                    + "; joining as a new viewer", "hello");
            return false;
        }
        // The old connection gives its seat to this one first, so a token limited to one viewer
        // can resume its own viewer.
        seats.release(old);
        if (!takeSeat(s, a)) {
            if (!old.closed()) {
                seats.take(old, held.policy().id(), held.token(), 0); // it stays connected: give its seat back
            }
            return true;
        }
        if (old.closed() && held.inMesh() && !coordinator.resume(id)) {
            seats.release(s); // joining as a new viewer takes it again
            errors.send(s, ErrorCode.RESUME_FAILED, "the resume grace of " + SignalingCodec.truncate(id)
                    + " has passed; joining as a new viewer", "hello");
            return false;
        }
        // From here the old connection speaks for nobody: its close, queued or still to come,
        // must not suspend or remove the viewer this connection now is.
        old.replaced();
        if (!old.closed()) {
            old.close(CloseCodes.NORMAL, "resumed on another connection"); // reconnected before the old socket died
        }
        registry.leaveSwarmSite(old);
        held = held.withToken(a.token());
        s.admit(held);
        registry.register(s);
        registry.enterSwarmSite(s);
        s.send(welcome(held, true));
        if (held.inMesh()) {
            // The resumed viewer re-offers to every neighbour it still has; peers with a live
            // connection to it ignore the duplicate.
            for (String n : coordinator.neighbours(id)) {
                s.send(events.neighbour(n, true));
            }
            if (!events.leadersPending(held.streamId(), held.swarm())) {
                s.send(new ServerMessage.Leaders(coordinator.siteLeaders(held.streamId(), held.swarm())));
            }
        }
        LOG.debug("{} - resumed", id);
        return true;
    }

    /** Takes a seat under the viewer's token; refuses and closes the viewer when the token's limit is reached. */
    private boolean takeSeat(ViewerSession s, Admission.Admitted a) {
        int max = a.policy().tokens().maxViewersPerToken();
        if (seats.take(s, a.policy().id(), a.token(), max)) {
            return true;
        }
        errors.refuse(s, new Admission.Refused(ErrorCode.TOKEN_VIEWER_LIMIT, "this viewer token is in use by "
                + max + " connected viewer(s), the most stream " + a.policy().id() + " allows per token"));
        return false;
    }

    private ServerMessage.Welcome welcome(ViewerSession.Membership m, boolean resumed) {
        return new ServerMessage.Welcome(m.peerId(), m.secret(), resumed, m.site(), m.streamId(), heartbeatMs,
                m.effective(), throughput.siteFigure(m.streamId(), m.site(), clock.millis()));
    }
}
