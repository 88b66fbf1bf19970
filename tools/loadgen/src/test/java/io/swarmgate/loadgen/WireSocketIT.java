package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator's WebSocket client against Jetty's server side: framing, ping, close, refusals. */
@Timeout(30)
class WireSocketIT {

    private Server server;
    private NioLoop loop;
    private URI uri;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    /** Answers commands: echo, fragmented echo, ping, an oversized message, a close with a code. */
    public static final class Commands implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String text) {
            switch (text) {
                case "fragments" -> session.sendPartialText("one ", false, Callback.from(
                        () -> session.sendPartialText("two ", false, Callback.from(
                                () -> session.sendPartialText("three", true, Callback.NOOP), t -> { })), t -> { }));
                case "ping" -> session.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3}), Callback.NOOP);
                case "big" -> session.sendText("x".repeat(FrameCodec.MAX_MESSAGE_BYTES + 1), Callback.NOOP);
                case "close" -> session.close(4001, "policy says no", Callback.NOOP);
                default -> session.sendText("echo:" + text, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            session.sendText("pong:" + payload.remaining(), Callback.NOOP);
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxTextMessageSize(2 * FrameCodec.MAX_MESSAGE_BYTES);
            container.addMapping("/ws", (rq, rs, cb) -> new Commands());
        }));
        server.setHandler(context);
        server.start();
        uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
        loop = new NioLoop("wire-test");
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
        server.stop();
    }

    private WireSocket connect(URI target) throws Exception {
        return WireSocket.connect(loop, target, InetAddress.getByName("127.0.0.7"), "https://intranet.example", null,
                new WireSocket.Listener() {
                    @Override
                    public void onOpen(WireSocket socket) {
                        events.add("open");
                    }

                    @Override
                    public void onText(String text) {
                        events.add("text " + text.length() + " " + (text.length() > 40 ? "" : text));
                    }

                    @Override
                    public void onClose(int code, String reason) {
                        events.add("close " + code + " " + reason);
                    }

                    @Override
                    public void onConnectFailure(Throwable cause) {
                        events.add("failed " + cause.getMessage());
                    }
                });
    }

    private String next() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        return e == null ? "nothing within 10 s" : e;
    }

    private void send(WireSocket socket, String text) {
        socket.sendText(text, () -> { }, () -> events.add("send failed"));
    }

    @Test
    void textFragmentsPingAndCloseHandshake() throws Exception {
        WireSocket socket = connect(uri);
        assertEquals("open", next());
        assertTrue(socket.isOpen());
        String unicode = "h\u00e9llo \u2603";
        send(socket, unicode);
        assertEquals("text " + ("echo:" + unicode).length() + " echo:" + unicode, next());
        send(socket, "y".repeat(70_000 / 2)); // a 16-bit length on the way out
        assertEquals("text " + (5 + 35_000) + " ", next());
        send(socket, "fragments");
        assertEquals("text 13 one two three", next(), "fragments are put together");
        send(socket, "ping");
        assertEquals("text 6 pong:3", next(), "a ping is answered with its payload");
        socket.close(1000, "bye");
        assertEquals("close 1000 bye", next(), "the server's answer to our close ends the socket");
        send(socket, "late");
        assertEquals("send failed", next());
    }

    @Test
    void theServersCloseCodeReachesTheListener() throws Exception {
        WireSocket socket = connect(uri);
        assertEquals("open", next());
        send(socket, "close");
        assertEquals("close 4001 policy says no", next());
        assertTrue(!socket.isOpen());
    }

    @Test
    void aMessageAboveTheLimitClosesWith1009() throws Exception {
        WireSocket socket = connect(uri);
        assertEquals("open", next());
        send(socket, "big");
        assertTrue(next().startsWith("close 1009 "), "too big");
    }

    @Test
    void aRefusedUpgradeAndAnUnreachablePortAreConnectFailures() throws Exception {
        connect(uri.resolve("/elsewhere"));
        String refused = next();
        assertTrue(refused.startsWith("failed the appliance refused the WebSocket upgrade: HTTP/1.1 404"), refused);

        ServerConnector connector = (ServerConnector) server.getConnectors()[0];
        int port = connector.getLocalPort();
        server.stop();
        connect(URI.create("ws://127.0.0.1:" + port + "/ws"));
        assertTrue(next().startsWith("failed "), "connection refused");
    }
}
