package io.swarmgate.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A real WebSocket viewer for tests, connecting from a chosen loopback source address so the
 * appliance sees it in that address's /24. Received messages queue up for assertions.
 */
public final class TestViewer implements Session.Listener.AutoDemanding, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long an awaited message may take before the test fails: a bound on a hung test, not a speed requirement. */
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final WebSocketClient client;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final AtomicLong pings = new AtomicLong();
    private volatile Session session;
    public String peerId;
    public String secret;

    private TestViewer(String sourceAddress) throws Exception {
        http = new HttpClient();
        http.setBindAddress(new InetSocketAddress(sourceAddress, 0));
        client = new WebSocketClient(http);
        client.setMaxTextMessageSize(1 << 20);
        client.start();
    }

    /** Connects from {@code sourceAddress} (e.g. 127.0.1.5) with an optional Origin header. */
    public static TestViewer connect(URI ws, String sourceAddress, String origin) throws Exception {
        return connect(ws, sourceAddress, origin, java.util.Map.of());
    }

    /** Connects from {@code sourceAddress} with an optional Origin and extra request headers. */
    public static TestViewer connect(URI ws, String sourceAddress, String origin, java.util.Map<String, String> headers)
            throws Exception {
        TestViewer v = new TestViewer(sourceAddress);
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        if (origin != null) {
            request.setHeader("Origin", origin);
        }
        headers.forEach(request::setHeader);
        v.client.connect(v, ws, request).get(10, TimeUnit.SECONDS);
        return v;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
    }

    @Override
    public void onWebSocketText(String text) {
        try {
            inbox.add(JSON.readTree(text));
        } catch (Exception e) {
            throw new IllegalStateException("server sent invalid JSON: " + text, e);
        }
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
        closed.complete(new int[] {code});
    }

    public void send(String text) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.sendText(text, Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(5, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] bytes) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.sendBinary(ByteBuffer.wrap(bytes), Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(5, TimeUnit.SECONDS);
    }

    public static String hello(String stream, boolean upload, String network) {
        return "{\"type\":\"hello\",\"v\":1,\"stream\":\"" + stream + "\",\"sdk\":\"test\",\"caps\":{\"upload\":"
                + upload + ",\"network\":\"" + network + "\",\"uploadKbps\":20000}}";
    }

    /** Sends hello and waits for welcome. */
    public JsonNode joinStream(String stream) throws Exception {
        return joinWith(hello(stream, true, "ethernet"));
    }

    public JsonNode joinWith(String helloJson) throws Exception {
        send(helloJson);
        JsonNode welcome = await("welcome");
        peerId = welcome.get("peerId").asText();
        secret = welcome.get("secret").asText();
        return welcome;
    }

    /** The next message of {@code type}, skipping others; fails after {@link #AWAIT}. */
    public JsonNode await(String type) throws InterruptedException {
        return await(m -> type.equals(m.path("type").asText()), type);
    }

    public JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            JsonNode m = next(deadline, what);
            if (match.test(m)) {
                return m;
            }
        }
    }

    /** The next error with {@code code}. */
    public JsonNode awaitError(String code) throws InterruptedException {
        return await(m -> "error".equals(m.path("type").asText()) && code.equals(m.path("code").asText()),
                "error " + code);
    }

    /**
     * Every message the appliance queued for this viewer before it answered a ping sent now, in
     * order. It writes one viewer's messages in the order they were queued, so the pong comes
     * after all of them: "no X among these" means none was sent, without waiting for a quiet spell.
     * Messages queued later (a mesh change still in progress) are not included; see
     * {@code SignalingTestBase.awaitMeshIdle}.
     */
    public List<JsonNode> drainThroughPong() throws Exception {
        long t = pings.incrementAndGet();
        send("{\"type\":\"ping\",\"t\":" + t + "}");
        List<JsonNode> before = new ArrayList<>();
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            JsonNode m = next(deadline, "pong " + t);
            if ("pong".equals(m.path("type").asText()) && m.path("t").asLong() == t) {
                return before;
            }
            before.add(m);
        }
    }

    /** Messages of {@code type} among {@link #drainThroughPong()}. */
    public List<JsonNode> drainThroughPong(String type) throws Exception {
        return drainThroughPong().stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    /** The neighbour set after applying every neighbour and neighbour-gone message in {@link #drainThroughPong()}. */
    public Set<String> neighbours(Set<String> known) throws Exception {
        Set<String> current = new HashSet<>(known);
        for (JsonNode m : drainThroughPong()) {
            if ("neighbour".equals(m.path("type").asText())) {
                current.add(m.get("peer").asText());
            } else if ("neighbour-gone".equals(m.path("type").asText())) {
                current.remove(m.get("peer").asText());
            }
        }
        return current;
    }

    private JsonNode next(long deadline, String what) throws InterruptedException {
        long left = deadline - System.nanoTime();
        JsonNode m = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
        if (m == null) {
            throw new AssertionError("no " + what + " within " + AWAIT.toSeconds() + " s; queue: " + inbox);
        }
        return m;
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS)[0];
    }

    public boolean isOpen() {
        return session != null && session.isOpen();
    }

    public void drain() {
        inbox.clear();
    }

    /** Drops the TCP connection without a close handshake, as a crashed browser tab would. */
    public void abort() {
        session.disconnect();
    }

    @Override
    public void close() throws Exception {
        if (session != null && session.isOpen()) {
            session.close();
        }
        client.stop();
        http.stop();
    }
}
