package io.swarmgate.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A hand-written stand-in for the appliance's {@code /ws} until the real endpoint exists: just
 * enough of protocol v1 for the load generator — welcome, pairing each newcomer with the previous
 * viewer of its /24, relaying signals, pong, bye. It records the client addresses it saw.
 */
public final class StubSignalingServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server = new Server();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, Peer> lastInSubnet = new ConcurrentHashMap<>();
    final Set<String> clientAddresses = ConcurrentHashMap.newKeySet();
    final AtomicInteger byes = new AtomicInteger();
    final AtomicInteger relayed = new AtomicInteger();
    final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final long heartbeatMs;

    /** @param heartbeatMs the {@code heartbeatMs} of every welcome */
    StubSignalingServer(long heartbeatMs) throws Exception {
        this.heartbeatMs = heartbeatMs;
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context,
                container -> container.addMapping("/ws", (rq, rs, cb) -> new Peer())));
        server.setHandler(context);
        server.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/ws");
    }

    /** One connected viewer; public because Jetty instantiates endpoint classes reflectively. */
    public final class Peer implements Session.Listener.AutoDemanding {
        private Session session;
        private String id;
        private String subnet;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            String ip = ((InetSocketAddress) session.getRemoteSocketAddress()).getAddress().getHostAddress();
            clientAddresses.add(ip);
            subnet = ip.substring(0, ip.lastIndexOf('.'));
        }

        @Override
        public void onWebSocketText(String text) {
            try {
                JsonNode m = JSON.readTree(text);
                switch (m.path("type").asText()) {
                    case "hello" -> hello();
                    case "ping" -> {
                        pings.incrementAndGet();
                        send(JSON.createObjectNode().put("type", "pong").put("t", m.path("t").asLong())
                                .put("serverTime", System.currentTimeMillis()));
                    }
                    case "signal" -> relay(m);
                    case "bye" -> {
                        byes.incrementAndGet();
                        session.close(1000, "bye", Callback.NOOP);
                    }
                    default -> send(JSON.createObjectNode().put("type", "error").put("code", "unknown_type")
                            .put("message", "stub"));
                }
            } catch (Exception e) {
                session.close(4000, "stub: " + e, Callback.NOOP);
            }
        }

        private void hello() {
            id = "p-" + ids.incrementAndGet();
            peers.put(id, this);
            ObjectNode welcome = JSON.createObjectNode().put("type", "welcome").put("v", 1).put("peerId", id)
                    .put("secret", "s").put("resumed", false).put("site", subnet + ".0/24")
                    .put("streamId", "loadgen").put("heartbeatMs", heartbeatMs);
            ObjectNode policy = welcome.putObject("policy").put("p2p", "on").put("maxNeighbours", 6)
                    .put("uploadOnCellular", false).put("uploadOnWifi", true);
            policy.putObject("upload").put("allowed", true).put("maxUploads", 4).put("maxKbps", 20_000);
            policy.putArray("iceServers");
            send(welcome);
            Peer previous = lastInSubnet.put(subnet, this);
            if (previous != null) {
                send(JSON.createObjectNode().put("type", "neighbour").put("peer", previous.id).put("offer", true));
                previous.send(JSON.createObjectNode().put("type", "neighbour").put("peer", id).put("offer", false));
            }
        }

        private void relay(JsonNode m) {
            Peer to = peers.get(m.path("to").asText());
            if (to == null) {
                send(JSON.createObjectNode().put("type", "error").put("code", "not_neighbour").put("message", "stub"));
                return;
            }
            ObjectNode out = ((ObjectNode) m.deepCopy());
            out.remove("to");
            out.put("from", id);
            relayed.incrementAndGet();
            to.send(out);
        }

        void send(ObjectNode message) {
            session.sendText(message.toString(), Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            if (id != null) {
                peers.remove(id);
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
