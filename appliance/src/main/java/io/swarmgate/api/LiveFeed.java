package io.swarmgate.api;

import io.swarmgate.console.Sessions;
import io.swarmgate.qoe.QoeQueries;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/live}: the dashboard's socket. A signed-in console (session cookie) gets a
 * {@code config} message first, then the live figures every second — computed once per tick for
 * all subscribers. Sessions that end (sign-out, disabled account, timeout) lose the feed.
 */
public final class LiveFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    static final int INTERVAL_MS = 1000;
    static final List<String> SERIES = List.of("viewers", "efficiency", "httpBps", "p2pBps", "rebufferRatio",
            "startupP50Ms");

    private final QoeQueries queries;
    private final Sessions sessions;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;

    public LiveFeed(QoeQueries queries, Sessions sessions) {
        this.queries = queries;
        this.sessions = sessions;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-live");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** The endpoint for an upgrade request, or null when it carries no valid console session. */
    public Subscriber subscriberFor(Request request) {
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (Sessions.COOKIE.equals(cookie.getName()) && sessions.peek(cookie.getValue()).isPresent()) {
                return new Subscriber(cookie.getValue());
            }
        }
        return null;
    }

    private void tick() {
        if (subscribers.isEmpty()) {
            return;
        }
        try {
            Map<String, Object> data = QoeResource.live(queries.live());
            data.put("type", "data");
            String text = Json.MAPPER.writeValueAsString(data);
            for (Subscriber s : subscribers) {
                if (sessions.peek(s.sessionId).isEmpty()) {
                    s.close(4401, "session ended");
                } else {
                    s.send(text);
                }
            }
        } catch (Exception e) {
            LOG.warn("live - could not compute the dashboard figures", e);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        subscribers.forEach(s -> s.close(1001, "appliance shutting down"));
    }

    /** One open dashboard. Public because Jetty requires endpoint classes to be. */
    public final class Subscriber implements Session.Listener.AutoDemanding {
        private final String sessionId;
        private volatile Session socket;
        /** A dashboard that reads too slowly is skipped for a tick rather than queued up. */
        private volatile boolean sending;

        Subscriber(String sessionId) {
            this.sessionId = sessionId;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            socket = session;
            try {
                send(Json.MAPPER.writeValueAsString(Map.of("type", "config", "intervalMs", INTERVAL_MS,
                        "series", SERIES, "historySeconds", 300)));
            } catch (Exception e) {
                session.close(1011, "internal error", Callback.NOOP);
                return;
            }
            subscribers.add(this);
        }

        @Override
        public void onWebSocketText(String message) {
            // The feed is one-way; anything the console sends is ignored.
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            subscribers.remove(this);
        }

        void send(String text) {
            Session s = socket;
            if (s == null || !s.isOpen() || sending) {
                return;
            }
            sending = true;
            s.sendText(text, Callback.from(() -> sending = false, x -> sending = false));
        }

        void close(int code, String reason) {
            subscribers.remove(this);
            Session s = socket;
            if (s != null && s.isOpen()) {
                s.close(code, reason, Callback.NOOP);
            }
        }
    }
}
