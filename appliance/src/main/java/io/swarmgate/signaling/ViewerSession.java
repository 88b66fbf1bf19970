package io.swarmgate.signaling;

import io.swarmgate.mesh.PeerInfo;
import io.swarmgate.mesh.Site;
import io.swarmgate.mesh.SiteMap;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.ViewerTokens;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's signaling connection and the state that belongs to it. Public only because Jetty
 * requires endpoint classes to be. No other class writes its fields; each field says which
 * thread writes it and how other threads see it.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Jetty calls the listener methods one at a time per connection (the I/O side): the abuse
 *       counters, the token bucket and {@code helloSeen} are confined to it.</li>
 *   <li>The mesh thread decides who the viewer is ({@link #admit}, {@link #moveTo},
 *       {@link #replaced}); the result is an immutable {@link Membership} behind a volatile
 *       reference, so the I/O side and the timers read a consistent snapshot without a lock.</li>
 *   <li>Outbound messages come from any thread and go through a bounded queue with one write in
 *       flight, because a WebSocket session takes one outstanding write at a time and a stalled
 *       viewer must not make others wait.</li>
 * </ul>
 */
public final class ViewerSession implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerSession.class);
    /** Messages queued for a viewer that reads too slowly before it is disconnected. */
    static final int MAX_QUEUED = 512;

    /**
     * Who an admitted viewer is and where it is placed. Replaced whole when a policy change moves
     * the viewer; the peer id, resume secret, capabilities and site never change.
     *
     * @param streamRef what the viewer's hello named (a policy id or manifest URL), re-resolved on
     *                  policy changes
     * @param streamId  the swarm it belongs to now
     * @param effective the policy the viewer was last told
     * @param inMesh    whether the coordinator holds it (false: HTTP only)
     * @param token     the viewer token it joined with, as verified (which secret signed it), or
     *                  null when it joined without one; {@link PolicyRecheck} uses it to close
     *                  viewers whose token no longer verifies after a secret rotation
     * @param barred    its bytes failed the appliance's hash on this stream ({@code IntegrityLedger}):
     *                  it stays out of the mesh, whatever policy changes come, for this session and
     *                  its resume
     */
    record Membership(String peerId, String secret, ClientMessage.Capabilities caps, String site, String link,
                      String streamRef, String streamId, StreamPolicy policy, ServerMessage.Policy effective,
                      boolean inMesh, ViewerTokens.Verified token, boolean barred) {

        /**
         * The viewer's link when it must be matched on it alone, else null: when its browser hides
         * host addresses behind mDNS names, which resolve only on the same link, it is never paired
         * with an mDNS-only viewer on another routed subnet of its site, where ICE would fail
         * ({@link PeerInfo#link}). Automatic sites are a link already. A viewer that was offered the
         * appliance's STUN responder ({@code stun}) is matched with its whole site: it also
         * announces its real address as a server-reflexive candidate, which routes across the
         * site's subnets.
         */
        static String linkOf(String site, boolean mdns, boolean stun, java.net.InetAddress address) {
            String link = SiteMap.linkOf(address);
            return !mdns || stun || site.equals(Site.AUTOMATIC_PREFIX + link) ? null : link;
        }

        /** The group the coordinator matches the viewer in and sends leaders for ({@link PeerInfo#swarm()}). */
        String swarm() {
            return link == null ? site : site + PeerInfo.LINK_SEPARATOR + link;
        }

        /** The site a swarm key belongs to. */
        static String siteOfSwarm(String swarm) {
            int at = swarm.indexOf(PeerInfo.LINK_SEPARATOR);
            return at < 0 ? swarm : swarm.substring(0, at);
        }

        Membership movedTo(String newStreamId, StreamPolicy newPolicy,
                           ServerMessage.Policy newEffective, boolean nowInMesh) {
            Membership moved = new Membership(peerId, secret, caps, site, link, streamRef, newStreamId, newPolicy,
                    newEffective, nowInMesh, token, false);
            return barred ? moved.asBarred() : moved;
        }

        /** The same viewer, speaking with the token of the connection that resumed it. */
        Membership withToken(ViewerTokens.Verified newToken) {
            return new Membership(peerId, secret, caps, site, link, streamRef, streamId, policy, effective, inMesh,
                    newToken, barred);
        }

        /** The same viewer barred: out of the mesh, told P2P is off. */
        Membership asBarred() {
            ServerMessage.Policy off = effective.off();
            return new Membership(peerId, secret, caps, site, link, streamRef, streamId, policy, off, false, token,
                    true);
        }
    }

    private final SignalingService service;
    final InetAddress address;
    final String origin;
    /**
     * The stream named in the {@code /ws?stream=} URL, null without one. A load balancer shards by
     * it, so the hello must name the same stream: otherwise a viewer could land on one appliance
     * and join a stream whose swarm lives on another.
     */
    final String urlStream;
    /** The appliance's STUN responder as this connection reaches it ({@code stun:host:port}), or null. */
    final String stunUrl;
    final long openedAt;

    // I/O side only.
    private final TokenBucket bucket;
    private boolean helloSeen;
    private boolean byeReceived;
    private int badMessages;
    private int rateViolations;
    /** Whether its last report that reached the mesh thread said a data channel was open; null before one. */
    private Boolean reportedOpen;

    /** Renditions told and not yet handed to the mesh thread, the latest only ({@link #tracksNow}); guarded by this. */
    private List<String> heldTracks;
    private long tracksHandedAt = Long.MIN_VALUE / 2;

    /** Written by the I/O side, read by the heartbeat sweep. */
    private volatile long lastSeen;
    /** Written when the socket closes (I/O side), read by the mesh thread and senders. */
    private volatile boolean closed;
    /** Written by the mesh thread when a resumed connection took this viewer over; read by both. */
    private volatile boolean replaced;
    /** Written by the mesh thread only; null until admitted. */
    private volatile Membership membership;

    /** {@code hash} requests not yet answered (I/O thread adds, the completing thread subtracts). */
    final java.util.concurrent.atomic.AtomicInteger pendingHashes = new java.util.concurrent.atomic.AtomicInteger();

    private volatile Session socket;
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();
    private boolean sending; // guarded by outbox

    ViewerSession(SignalingService service, InetAddress address, String origin, String urlStream, String stunUrl,
                  long now, int perSecond, int burst) {
        this.service = service;
        this.stunUrl = stunUrl;
        this.address = address;
        this.origin = origin;
        this.urlStream = urlStream;
        this.openedAt = now;
        this.lastSeen = now;
        this.bucket = new TokenBucket(perSecond, burst, now);
    }

    // --- state -------------------------------------------------------------------------------------

    /** The admitted viewer, or null before its hello was accepted (or after it was refused). */
    Membership membership() {
        return membership;
    }

    String peerId() {
        Membership m = membership;
        return m == null ? null : m.peerId();
    }

    /** For log lines: the peer id once known, else the address. */
    Object label() {
        Membership m = membership;
        return m == null ? address : m.peerId();
    }

    boolean closed() {
        return closed;
    }

    boolean isReplaced() {
        return replaced;
    }

    long lastSeen() {
        return lastSeen;
    }

    /** Mesh thread: the hello was accepted (new viewer or resume). */
    void admit(Membership m) {
        membership = m;
    }

    /** Mesh thread: a policy change moved or re-ruled the viewer. */
    void moveTo(Membership m) {
        membership = m;
    }

    /** Mesh thread: a resumed connection took this viewer over; its close changes nothing. */
    void replaced() {
        replaced = true;
    }

    // I/O side: inbound bookkeeping for SignalingService.

    /** Records activity; false when the message exceeds the rate limit. */
    boolean tryTake(long now) {
        lastSeen = now;
        return bucket.tryTake(now);
    }

    int rateViolation() {
        return ++rateViolations;
    }

    int badMessage() {
        return ++badMessages;
    }

    /** The hello passed admission and was handed to the mesh thread; another hello is refused. */
    void helloAccepted() {
        helloSeen = true;
    }

    boolean helloSeen() {
        return helloSeen;
    }

    /** Whether a report saying {@code anyOpen} changes what the mesh thread was last told. I/O side. */
    boolean reportedOpenChanges(boolean anyOpen) {
        return reportedOpen == null || reportedOpen != anyOpen;
    }

    void reportedOpen(boolean anyOpen) {
        reportedOpen = anyOpen;
    }

    /**
     * Whether renditions the viewer told at {@code now} go to the mesh thread now: at most once per
     * {@code intervalMs}, since a change may send the whole site a new {@code leaders} list. Else
     * they are held, the latest replacing any held before, for {@link #heldTracksDue}.
     */
    synchronized boolean tracksNow(List<String> tracks, long now, long intervalMs) {
        if (heldTracks == null && now - tracksHandedAt >= intervalMs) {
            tracksHandedAt = now;
            return true;
        }
        heldTracks = tracks;
        return false;
    }

    /** The held renditions once their interval has passed (they count as handed on), else null. Any thread. */
    synchronized List<String> heldTracksDue(long now, long intervalMs) {
        if (heldTracks == null || now - tracksHandedAt < intervalMs) {
            return null;
        }
        List<String> due = heldTracks;
        heldTracks = null;
        tracksHandedAt = now;
        return due;
    }

    void byeReceived() {
        byeReceived = true;
    }

    boolean saidBye() {
        return byeReceived;
    }

    // --- Jetty listener (I/O side) -----------------------------------------------------------------

    @Override
    public void onWebSocketOpen(Session session) {
        this.socket = session;
        service.opened(this);
    }

    @Override
    public void onWebSocketText(String text) {
        try {
            service.received(this, text);
        } catch (RuntimeException e) {
            // Never let one viewer's message take the connection thread down; the viewer hears about it.
            LOG.warn("{} - unexpected failure handling a message", label(), e);
            send(new ServerMessage.Error(ErrorCode.INVALID_FIELD, "the message could not be processed", null));
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        service.rejected(this, new ProtocolException(ErrorCode.INVALID_JSON, "binary frames are not part of the protocol", null));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed = true;
        service.closed(this, statusCode);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("{} - socket error: {}", label(), cause.toString());
    }

    // --- outbound (any thread) ---------------------------------------------------------------------

    void send(ServerMessage message) {
        sendText(service.codec().encode(message, stunUrl));
    }

    void sendText(String text) {
        enqueue(text);
    }

    /** Closes after every message queued before it has gone out, so an error precedes its close. */
    void close(int code, String reason) {
        enqueue(new Close(code, reason));
    }

    private record Close(int code, String reason) {
    }

    private void enqueue(Object item) {
        Session s = socket;
        if (s == null || closed) {
            return;
        }
        synchronized (outbox) {
            if (outbox.size() >= MAX_QUEUED) {
                LOG.info("{} - reads too slowly ({} messages queued), disconnecting", label(), outbox.size());
                outbox.clear();
                s.close(CloseCodes.RATE_LIMIT, "too slow to read", Callback.NOOP);
                return;
            }
            outbox.add(item);
            if (sending) {
                return;
            }
            sending = true;
        }
        service.startWrite(() -> flush(s));
    }

    private void flush(Session s) {
        Object next;
        synchronized (outbox) {
            next = outbox.poll();
            if (next == null) {
                sending = false;
                return;
            }
        }
        if (next instanceof Close c) {
            synchronized (outbox) {
                outbox.clear();
                sending = false;
            }
            if (s.isOpen()) {
                s.close(c.code(), c.reason(), Callback.NOOP);
            }
            return;
        }
        s.sendText((String) next, Callback.from(() -> flush(s), failure -> {
            synchronized (outbox) {
                outbox.clear();
                sending = false;
            }
        }));
    }
}
