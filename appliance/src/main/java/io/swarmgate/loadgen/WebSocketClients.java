package io.swarmgate.loadgen;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The one {@link HttpClient} and {@link WebSocketClient} every simulated viewer shares: one
 * thread pool and one set of selectors for all sockets, sockets bound per viewer by
 * {@link SourceBoundConnector}, TLS trusting the appliance's CA when {@code --ca} is given.
 */
record WebSocketClients(HttpClient http, WebSocketClient websocket) implements AutoCloseable {

    /** Long enough to survive the hold; the appliance, not the client, enforces heartbeats. */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    static final long STOP_TIMEOUT_MILLIS = 5_000;
    /** A source address's destination is dropped this long after its last upgrade completed. */
    static final long DESTINATION_IDLE_MILLIS = 2_000;

    static WebSocketClients start(Path caFile, int peers) throws Exception {
        SourceBoundConnector connector = new SourceBoundConnector();
        connector.setSslContextFactory(tls(caFile));
        connector.setConnectTimeout(Duration.ofSeconds(30));
        connector.setIdleTimeout(IDLE_TIMEOUT);
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(32, Runtime.getRuntime().availableProcessors() * 8));
        threads.setName("loadgen");
        threads.setDaemon(true);
        connector.setExecutor(threads);

        HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(threads);
        // Each upgrade holds a pooled connection until it completes; one destination per source
        // address, and joins arrive faster than upgrades finish, so neither limit may bite.
        http.setMaxConnectionsPerDestination(Math.max(64, peers));
        http.setMaxRequestsQueuedPerDestination(Math.max(1024, peers));
        // Every source address is a destination of its own, used for one upgrade per viewer. Kept
        // forever, 20,000 of them make each new one slower (HttpClient tracks destinations in a
        // copy-on-write bean list: O(destinations) per add) and hold their pools in the heap.
        // An upgraded connection leaves its pool, so the destination is idle right after it.
        http.setDestinationIdleTimeout(DESTINATION_IDLE_MILLIS);
        http.setUserAgentField(null);
        WebSocketClient websocket = new WebSocketClient(http);
        websocket.setIdleTimeout(IDLE_TIMEOUT);
        websocket.setMaxTextMessageSize(64 * 1024);
        websocket.setStopTimeout(STOP_TIMEOUT_MILLIS);
        websocket.setStopAtShutdown(false);
        http.start();
        websocket.start();
        return new WebSocketClients(http, websocket);
    }

    private static SslContextFactory.Client tls(Path caFile) throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        if (caFile != null) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caFile)) {
                int n = 0;
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + n++, cert);
                }
                if (n == 0) {
                    throw new IllegalArgumentException("--ca " + caFile + " holds no PEM certificate");
                }
            }
            tls.setTrustStore(trust);
        }
        return tls;
    }

    @Override
    public void close() {
        try {
            websocket.stop();
        } catch (Exception e) {
            System.err.println("loadgen: stopping the WebSocket client: " + e);
        }
        try {
            http.stop();
        } catch (Exception e) {
            System.err.println("loadgen: stopping the HTTP client: " + e);
        }
    }
}
