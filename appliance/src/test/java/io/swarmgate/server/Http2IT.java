package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.pki.TrustAnchors;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on the HTTPS port: what a browser negotiates with ALPN, the signaling WebSocket kept on
 * HTTP/1.1, and {@code server.http2 = false} for networks whose TLS inspection mishandles HTTP/2. Real appliances, real TLS, Jetty's own HTTP/2 client.
 */
class Http2IT {

    @TempDir
    static Path tmp;

    static Appliance appliance;
    static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"), Clock.systemUTC(), Map.of(ConfigKey.DEMO_ENABLED, "true"));
        trusting = client(appliance);
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static HttpClient client(Appliance appliance) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Jetty's client TLS, trusting the appliance's CA only. */
    private static SslContextFactory.Client trustingTls() throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setSslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile()));
        return tls;
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsAnswersOverHttp2WithTheSameHeaders() throws Exception {
        for (String path : new String[] {"/healthz", "/sdk/swarmgate.js", "/demo/", "/no/such/page"}) {
            HttpResponse<String> r = get(trusting, appliance.httpsUri().resolve(path));
            assertEquals(HttpClient.Version.HTTP_2, r.version(), path);
            assertEquals(path.startsWith("/no/") ? 404 : 200, r.statusCode(), path);
            assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(null), path);
            assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"), path);
            assertFalse(r.headers().firstValue("Server").isPresent(), "no server banner on " + path);
        }
    }

    @Test
    void plainHttpStaysHttp11() throws Exception {
        // The JDK client offers h2c on plain HTTP; the plain listener does not take it.
        HttpResponse<String> r = get(trusting, appliance.httpUri().resolve("/healthz"));
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }

    @Test
    void aClientThatOffersNoAlpnGetsHttp11() throws Exception {
        assertTrue(http11Answer(null).startsWith("HTTP/1.1 200"));
    }

    @Test
    void aClientThatOffersOnlyHttp11GetsIt() throws Exception {
        // What a browser offers on the connection it opens for a WebSocket.
        assertTrue(http11Answer(new String[] {"http/1.1"}).startsWith("HTTP/1.1 200"));
    }

    /** A GET /healthz over a TLS socket offering {@code alpn} (null: no ALPN extension), the raw answer. */
    private static String http11Answer(String[] alpn) throws Exception {
        SSLContext ctx = TrustAnchors.clientContext(appliance.pki().caCertificateFile());
        URI uri = appliance.httpsUri();
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            if (alpn != null) {
                javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
                parameters.setApplicationProtocols(alpn);
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake();
            if (alpn != null) {
                assertEquals("http/1.1", socket.getApplicationProtocol(), "ALPN chose HTTP/1.1");
            }
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + uri.getAuthority()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    @Test
    void signalingSocketsStayOnHttp11() throws Exception {
        // WebSockets over HTTP/2 are not offered (ApplianceServer#secureProtocols: a Jetty defect leaks
        // the closed streams). A client that insists on HTTP/2 is refused; browsers, which ask only when
        // the server offers it, open the socket over HTTP/1.1. A stream left behind would make this
        // class's appliance.close() time out.
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(trustingTls());
        HttpClientTransport h2 = new HttpClientTransportOverHTTP2(new HTTP2Client(connector));
        WebSocketClient ws = new WebSocketClient(new org.eclipse.jetty.client.HttpClient(h2));
        ws.start();
        try {
            URI uri = URI.create("wss://" + appliance.httpsUri().getAuthority() + "/ws?stream=h2-town-hall");
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> ws.connect(new Inbox(), uri, new ClientUpgradeRequest()).get(10, TimeUnit.SECONDS));
            assertTrue(String.valueOf(refused.getCause()).toLowerCase(java.util.Locale.ROOT).contains("connect"),
                    "refused for want of extended CONNECT: " + refused.getCause());
            assertEquals(0, appliance.signaling().connections(), "no signaling session was opened");
        } finally {
            ws.stop();
        }
    }

    @Test
    void aConnectionThatResetsStreamsFasterThanABrowserIsClosed() throws Exception {
        // The "rapid reset" pattern: open a stream, cancel it at once, again and again, so the server
        // starts work the client never waits for. The rate control closes such a connection.
        SslContextFactory.Client tls = trustingTls();
        HTTP2Client client = new HTTP2Client();
        client.addBean(tls);
        client.start();
        try {
            // The server's GOAWAY, when it is read before the connection closes under it.
            java.util.concurrent.atomic.AtomicReference<GoAwayFrame> goAway = new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            URI https = appliance.httpsUri();
            org.eclipse.jetty.http2.api.Session session = client.connect(tls, new InetSocketAddress(https.getHost(), https.getPort()),
                    new org.eclipse.jetty.http2.api.Session.Listener() {
                        @Override
                        public void onGoAway(org.eclipse.jetty.http2.api.Session s, GoAwayFrame frame) {
                            goAway.set(frame);
                        }

                        @Override
                        public void onClose(org.eclipse.jetty.http2.api.Session s, GoAwayFrame frame,
                                            org.eclipse.jetty.util.Callback callback) {
                            closed.complete(null);
                            callback.succeeded();
                        }
                    }).get(10, TimeUnit.SECONDS);
            MetaData.Request request = new MetaData.Request("GET", HttpURI.from(https.resolve("/healthz").toString()),
                    HttpVersion.HTTP_2, HttpFields.EMPTY);
            int cap = 10 * ApplianceServer.H2_MAX_CONTROL_EVENTS_PER_SECOND;
            int sent = 0;
            while (!closed.isDone() && sent < cap) {
                try {
                    Stream stream = session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                    }).get(5, TimeUnit.SECONDS);
                    stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code),
                            org.eclipse.jetty.util.Callback.NOOP);
                } catch (ExecutionException e) {
                    break; // the session is closing under us
                }
                sent++;
            }
            // Without the rate control the loop runs to its cap and the connection stays open: this times out.
            closed.get(10, TimeUnit.SECONDS);
            assertTrue(sent < cap, "the appliance closed the connection before the client gave up: " + sent);
            assertTrue(sent > ApplianceServer.H2_MAX_CONTROL_EVENTS_PER_SECOND / 2, "not before it was abusive: " + sent);
            GoAwayFrame frame = goAway.get();
            if (frame != null) {
                assertEquals(ErrorCode.ENHANCE_YOUR_CALM_ERROR.code, frame.getError(), "closed for its rate: " + frame);
            }
        } finally {
            client.stop();
        }
        // Other clients are served as before.
        assertEquals(200, get(trusting, appliance.httpsUri().resolve("/healthz")).statusCode());
    }

    /** A socket that expects nothing; Jetty calls only public endpoint classes. */
    public static final class Inbox implements Session.Listener.AutoDemanding {
    }

    @Test
    void http2CanBeTurnedOff() throws Exception {
        try (Appliance http1Only = TestAppliance.start(tmp.resolve("http1-only"), Clock.systemUTC(),
                Map.of(ConfigKey.SERVER_HTTP2, "false"))) {
            HttpResponse<String> r = get(client(http1Only), http1Only.httpsUri().resolve("/healthz"));
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "no h2 offered in ALPN");
        }
    }
}
