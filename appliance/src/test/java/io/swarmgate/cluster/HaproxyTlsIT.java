package io.swarmgate.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.Appliance;
import io.swarmgate.Await;
import io.swarmgate.OpensslCa;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.pki.TrustAnchors;
import io.swarmgate.signaling.TestViewer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config/haproxy.cfg.example} with its TLS as shipped, on both sides: browsers get HTTP/2
 * from the balancer (the signaling WebSocket too, RFC 8441, which HAProxy hands to the appliance
 * as an HTTP/1.1 upgrade), only the appliance's TLS policy is spoken, and the balancer talks only
 * to appliances whose certificate it can verify, by CA and by name. Two appliances sharing one CA,
 * as docs/scaling.md tells, a real HAProxy, real TLS clients (the JDK's and Jetty's).
 */
@Timeout(180)
class HaproxyTlsIT {

    @TempDir
    static Path dir;

    static Appliance first;
    static Appliance second;
    static Haproxy haproxy;
    static Haproxy.Tls tls;
    static SSLContext trusting;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = Map.of(
                // The name the example's HAProxy checks; the appliances' certificate carries it.
                ConfigKey.SERVER_HOSTNAMES, Haproxy.CLUSTER_NAME,
                ConfigKey.SIGNALING_TRUSTED_PROXIES, "127.0.0.1/32",
                ConfigKey.LOG_REQUESTS, "false");
        first = TestAppliance.start(dir.resolve("a"), Clock.systemUTC(), settings);
        SharedDatabaseIT.copyTree(dir.resolve("a/pki"), dir.resolve("b/pki"));
        second = TestAppliance.start(dir.resolve("b"), Clock.systemUTC(), settings);
        // The balancer shows browsers the appliances' own certificate (docs/scaling.md offers it).
        Path pem = dir.resolve("swarmgate.pem");
        Files.writeString(pem, Files.readString(dir.resolve("a/pki/server.crt")) + Files.readString(dir.resolve("a/pki/server.key")));
        tls = new Haproxy.Tls(pem, first.pki().caCertificateFile());
        Path haDir = Files.createDirectories(dir.resolve("haproxy"));
        haproxy = Haproxy.startTls(haDir, tls, first.httpsUri().getPort(), second.httpsUri().getPort(), 200, true);
        trusting = TrustAnchors.clientContext(first.pki().caCertificateFile());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {haproxy, second, first}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static URI balancer(String path) {
        return URI.create("https://127.0.0.1:" + haproxy.port() + path);
    }

    @Test
    void browsersGetHttp2FromTheBalancerWithTheAppliancesHeaders() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (String path : new String[] {"/healthz", "/sdk/swarmgate.js"}) {
            HttpResponse<String> r = h2.send(HttpRequest.newBuilder(balancer(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path + "\n" + haproxy.log());
            assertEquals(HttpClient.Version.HTTP_2, r.version(), path);
            // The appliance's security headers pass through the balancer unchanged.
            assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(null), path);
            assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"), path);
        }
    }

    @Test
    void signalingRunsOverHttp2ThroughTheBalancer() throws Exception {
        // What Chromium does when the server offers extended CONNECT: the WebSocket is a stream of
        // the page's HTTP/2 connection. The appliance does not offer it itself (docs/security.md).
        SslContextFactory.Client clientTls = new SslContextFactory.Client();
        clientTls.setSslContext(trusting);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(clientTls);
        WebSocketClient ws = new WebSocketClient(new org.eclipse.jetty.client.HttpClient(
                new HttpClientTransportOverHTTP2(new HTTP2Client(connector))));
        ws.start();
        try {
            Inbox inbox = new Inbox();
            URI uri = URI.create("wss://127.0.0.1:" + haproxy.port() + "/ws?stream=h2-town-hall");
            Session session = ws.connect(inbox, uri, new ClientUpgradeRequest()).get(10, TimeUnit.SECONDS);
            // An HTTP/2 extended CONNECT is answered 200; an HTTP/1.1 upgrade would be 101.
            assertEquals(200, session.getUpgradeResponse().getStatusCode(), "the socket is an HTTP/2 stream");
            session.sendText(TestViewer.hello("h2-town-hall", true, "ethernet"), Callback.NOOP);
            JsonNode welcome = inbox.next("welcome");
            assertTrue(welcome.path("peerId").asText().length() > 0, welcome.toString());
            assertEquals(1, first.signaling().connections() + second.signaling().connections(),
                    "one signaling session, on the appliance the stream hashes to");
            session.close();
            Await.until("the signaling session to end on the appliance", Duration.ofSeconds(10),
                    () -> first.signaling().connections() + second.signaling().connections() == 0);
        } finally {
            ws.stop();
        }
    }

    @Test
    void onlyTheAppliancesTlsPolicyIsSpoken() throws Exception {
        assertEquals("TLSv1.3", handshake("TLSv1.3", null));
        assertEquals("TLSv1.2", handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        // Not forward-secret AEAD: a CBC suite, which the JDK still offers, is refused.
        assertThrows(SSLException.class, () -> handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"));
    }

    /** A handshake with the balancer offering only {@code protocol} (and {@code suite}); the protocol spoken. */
    private static String handshake(String protocol, String suite) throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", haproxy.port())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            if (suite != null) {
                parameters.setCipherSuites(new String[] {suite});
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    @Test
    void theBalancerSendsNothingToAnApplianceItCannotVerify() throws Exception {
        // Another CA than the appliances', and then the right CA but another name: in both cases
        // HAProxy's checks fail on the handshake, both appliances are DOWN, and viewers get 503
        // rather than a connection to something that merely answers on the appliances' address.
        OpensslCa other = new OpensslCa(dir.resolve("other-ca"), "Other Corp");
        List<Haproxy.Tls> untrusted = List.of(
                new Haproxy.Tls(tls.pem(), other.rootCert),
                new Haproxy.Tls(tls.pem(), tls.caFile(), "intranet.corp.example"));
        int i = 0;
        for (Haproxy.Tls wrong : untrusted) {
            Path haDir = Files.createDirectories(dir.resolve("untrusting-" + i++));
            try (Haproxy h = Haproxy.startTls(haDir, wrong, first.httpsUri().getPort(), second.httpsUri().getPort(), 200, false)) {
                Await.until("HAProxy to mark both appliances DOWN (" + wrong + ")", Duration.ofSeconds(15),
                        () -> h.viewerServerStates().equals(List.of("DOWN", "DOWN")));
                HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + h.port() + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), wrong.toString());
            }
        }
    }

    /** Text messages of one socket, parsed; Jetty calls only public endpoint classes. */
    public static final class Inbox implements Session.Listener.AutoDemanding {
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public void onWebSocketText(String message) {
            messages.add(message);
        }

        /** The next message of {@code type}, skipping others; fails after 10 s. */
        JsonNode next(String type) throws Exception {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                String m = messages.poll(100, TimeUnit.MILLISECONDS);
                if (m != null) {
                    JsonNode node = JSON.readTree(m);
                    if (type.equals(node.path("type").asText())) {
                        return node;
                    }
                }
            }
            throw new AssertionError("no '" + type + "' message within 10 s");
        }
    }
}
