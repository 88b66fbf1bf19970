package io.swarmgate.signaling;

import io.swarmgate.policy.StreamPolicy;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's signaling connection. Jetty calls the listener methods one at a time per
 * connection, so the inbound side needs no locking; outbound messages come from any thread
 * (coordinator events, relays from other viewers) and go through a bounded queue with one send in
 * flight, because a WebSocket session takes one outstanding write at a time and a stalled viewer
 * must not make others wait. Public only because Jetty requires endpoint classes to be.
 */
public final class ViewerSession implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerSession.class);
    /** Messages queued for a viewer that reads too slowly before it is disconnected. */
    static final int MAX_QUEUED = 512;

    private final SignalingService service;
    final InetAddress address;
    final String origin;
    final long openedAt;
    private final TokenBucket bucket;

    private volatile Session socket;
    volatile long lastSeen;
    volatile boolean closed;
    /** Set when a resumed connection took this viewer over: closing this socket then changes nothing. */
    volatile boolean replaced;
    boolean byeReceived;
    int badMessages;
    int rateViolations;

    // Identity, set by SignalingService when hello is accepted.
    volatile String peerId;
    String secret;
    String streamRef;
    String streamId;
    String site;
    StreamPolicy policy;
    ServerMessage.Policy effective;
    ClientMessage.Capabilities caps;
    boolean inMesh;

    private final ArrayDeque<Object> outbox = new ArrayDeque<>();
    private boolean sending;

    ViewerSession(SignalingService service, InetAddress address, String origin, long now, int perSecond, int burst) {
        this.service = service;
        this.address = address;
        this.origin = origin;
        this.openedAt = now;
        this.lastSeen = now;
        this.bucket = new TokenBucket(perSecond, burst, now);
    }

    boolean joined() {
        return peerId != null;
    }

    boolean tryTake(long now) {
        return bucket.tryTake(now);
    }

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
            LOG.warn("{} - unexpected failure handling a message", peerId == null ? address : peerId, e);
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
        LOG.debug("{} - socket error: {}", peerId == null ? address : peerId, cause.toString());
    }

    void send(ServerMessage message) {
        sendText(service.codec().encode(message));
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
                LOG.info("{} - reads too slowly ({} messages queued), disconnecting", peerId, outbox.size());
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
