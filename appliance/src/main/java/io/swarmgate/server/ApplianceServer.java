package io.swarmgate.server;

import io.swarmgate.api.LiveFeed;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.demo.DemoHandler;
import io.swarmgate.pki.Pki;
import io.swarmgate.signaling.SignalingService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import io.swarmgate.store.Database;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's single HTTP server: HTTPS (and optionally plain HTTP) on one Jetty instance, with
 * the whole handler tree built in {@link #newServer}. Stopping drains requests in flight for up to
 * {@code server.shutdown-timeout-ms}.
 */
public final class ApplianceServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApplianceServer.class);

    /** TLS 1.3 suites plus TLS 1.2 ECDHE with AEAD ciphers only (EC keys by default, RSA for imported certificates). */
    static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    };
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** Largest signaling frame (docs/protocol.md). */
    static final int SIGNALING_FRAME_LIMIT = 16 * 1024;
    /** ALPN protocol ids (RFC 7301 registry). */
    static final String ALPN_H2 = "h2";
    static final String ALPN_HTTP_1_1 = "http/1.1";
    /** Concurrent HTTP/2 streams per connection: a viewer page uses a handful. */
    static final int H2_MAX_STREAMS = 128;
    /** HTTP/2 control events (resets, pings, settings, empty frames) a connection may send per second. */
    static final int H2_MAX_CONTROL_EVENTS_PER_SECOND = 128;
    /** Name of the plain-HTTP connector; diagnostics answer only there. */
    static final String PLAIN_CONNECTOR = "http";

    private final Server server;
    private final ServerConnector https;
    private final ServerConnector http;
    private final SslContextFactory.Server tls;
    private final Pki pki;
    private final HealthHandler health;

    private ApplianceServer(Server server, ServerConnector https, ServerConnector http, SslContextFactory.Server tls,
                            Pki pki, HealthHandler health) {
        this.health = health;
        this.tls = tls;
        this.pki = pki;
        this.server = server;
        this.https = https;
        this.http = http;
    }

    /**
     * Everything the handlers need, created and owned by the caller. {@code metrics} answers
     * {@code /metrics}.
     */
    /** @param demo the demo stream and page, or null when the demo is off */
    public record Services(Database database, Pki pki, SignalingService signaling, Handler api, LiveFeed live,
                           Clock clock, String version, Handler metrics, DemoHandler demo) {
    }

    /** Builds (but does not start) the server for {@code config}. */
    public static ApplianceServer newServer(ApplianceConfig config, Services services) {
        ApplianceConfig.Server settings = config.server();
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), 8);
        threads.setName("http");
        Server server = new Server(threads);
        server.setStopTimeout(settings.shutdownTimeoutMs());
        server.setStopAtShutdown(false);

        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        httpConfig.setRequestHeaderSize(16 * 1024);

        HttpConfiguration httpsConfig = new HttpConfiguration(httpConfig);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Viewers and admins reach the appliance by IP address as often as by name; SNI is optional.
        secure.setSniHostCheck(false);
        httpsConfig.addCustomizer(secure);

        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(services.pki().serverKeyStore());
        tls.setKeyStorePassword(new String(services.pki().keyStorePassword()));
        tls.setCertAlias("server");
        tls.setIncludeProtocols(PROTOCOLS);
        tls.setIncludeCipherSuites(CIPHER_SUITES);
        tls.setSniRequired(false);
        tls.setRenegotiationAllowed(false);

        ServerConnector https = new ServerConnector(server, secureProtocols(tls, httpsConfig, settings.http2()));
        https.setName("https");
        https.setPort(settings.httpsPort());
        https.setHost(settings.bind().isEmpty() ? null : settings.bind());
        https.setAcceptQueueSize(settings.acceptQueueSize());
        server.addConnector(https);

        ServerConnector http = null;
        if (settings.httpEnabled()) {
            http = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
            http.setName(PLAIN_CONNECTOR);
            http.setPort(settings.httpPort());
            http.setHost(settings.bind().isEmpty() ? null : settings.bind());
            http.setAcceptQueueSize(settings.acceptQueueSize());
            server.addConnector(http);
        }

        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler webSockets = WebSocketUpgradeHandler.from(server, context,
                container -> {
                    signalingEndpoint(container, config, services.signaling());
                    liveEndpoint(container, services.live());
                });
        HealthHandler health = new HealthHandler(services.database(), services.version(), services.clock());
        webSockets.setHandler(routes(server, config, services, health));
        context.setHandler(webSockets);
        server.setHandler(new GracefulHandler(new SecurityHeadersHandler(context)));
        server.setErrorHandler(new JsonErrorHandler());
        if (config.logging().requests()) {
            // %U is the path without the query string: viewer tokens may travel in queries and must not be logged.
            server.setRequestLog(new CustomRequestLog(new Slf4jRequestLogWriter() {
                {
                    setLoggerName("swarmgate.access");
                }
            }, "%{client}a - %u %{yyyy-MM-dd'T'HH:mm:ss.SSSXXX|UTC}t \"%m %U %H\" %s %O %{ms}T \"%{User-Agent}i\""));
        }
        return new ApplianceServer(server, https, http, tls, services.pki(), health);
    }

    /**
     * The HTTPS listener's protocols: TLS, then HTTP/2 or HTTP/1.1 as the client's ALPN asks (a
     * client that names neither gets HTTP/1.1), or HTTP/1.1 alone when {@code http2} is off. HTTP/2
     * lets a page's requests to the appliance share one TLS connection. Its limits are set here
     * rather than left to Jetty's defaults, so docs/security.md stays true.
     */
    private static ConnectionFactory[] secureProtocols(SslContextFactory.Server tls, HttpConfiguration config,
                                                       boolean http2) {
        HttpConnectionFactory http1 = new HttpConnectionFactory(config);
        if (!http2) {
            return new ConnectionFactory[] {new SslConnectionFactory(tls, ALPN_HTTP_1_1), http1};
        }
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
        h2.setMaxConcurrentStreams(H2_MAX_STREAMS);
        // Streams reset, empty frames, pings and settings beyond this rate a second close the connection.
        h2.setRateControlFactory(new WindowRateControl.Factory(H2_MAX_CONTROL_EVENTS_PER_SECOND));
        // No WebSockets over HTTP/2 (RFC 8441) with this Jetty: a closed tunnel stream stays registered
        // in its HTTP/2 session (jetty/jetty.project#15657, 12.1.10 to at least 12.1.14), so every
        // page's connection would leak and a stop would wait out its timeout. Without the setting,
        // browsers open the signaling socket on an HTTP/1.1 connection of its own, as before.
        h2.setConnectProtocolEnabled(false);
        // ALPN names, matched exactly: "http/1.1", not Jetty's factory name "HTTP/1.1". A browser opening a
        // WebSocket offers only "http/1.1", and a name that matches nothing fails the handshake.
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(ALPN_H2, ALPN_HTTP_1_1);
        alpn.setDefaultProtocol(ALPN_HTTP_1_1);
        return new ConnectionFactory[] {new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http1};
    }

    /**
     * {@code /ws}: frames above 16 KiB close the socket with 1009 before any parsing; the idle
     * timeout is a backstop behind the signaling service's own heartbeat check.
     */
    private static void signalingEndpoint(ServerWebSocketContainer container, ApplianceConfig config,
                                          SignalingService signaling) {
        container.setMaxTextMessageSize(SIGNALING_FRAME_LIMIT);
        container.setMaxBinaryMessageSize(SIGNALING_FRAME_LIMIT);
        container.setIdleTimeout(Duration.ofMillis(4L * config.signaling().heartbeatMs()));
        container.addMapping("/ws", (request, response, callback) -> {
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            InetAddress tcpPeer = remote instanceof InetSocketAddress inet ? inet.getAddress()
                    : InetAddress.getLoopbackAddress();
            // All X-Forwarded-For lines in order: a client's own line must not hide the one a proxy appended.
            List<String> forwarded = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
            InetAddress client = signaling.clientAddress(tcpPeer, forwarded.isEmpty() ? null : String.join(",", forwarded));
            // The stream a load balancer sharded by (docs/scaling.md); the hello must name the same.
            String stream = Request.extractQueryParameters(request).getValue("stream");
            // The appliance as the viewer reached it: where its STUN responder is offered.
            String host = request.getHeaders().get(HttpHeader.HOST);
            if (host == null && request.getHttpURI().hasAuthority()) {
                host = request.getHttpURI().getAuthority();
            }
            return signaling.newSession(client, request.getHeaders().get(HttpHeader.ORIGIN), stream, host);
        });
    }

    /** {@code /api/v1/live}: the console dashboard's feed, for signed-in sessions only. */
    private static void liveEndpoint(ServerWebSocketContainer container, LiveFeed live) {
        container.addMapping("/api/v1/live", (request, response, callback) -> {
            // A WebSocket carries the session cookie but no CSRF header: only the console's own origin may open it.
            if (!sameOrigin(request)) {
                Response.writeError(request, response, callback, HttpStatus.FORBIDDEN_403, "cross-origin socket refused");
                return null;
            }
            Object subscriber = live.subscriberFor(request);
            if (subscriber == null) {
                Response.writeError(request, response, callback, HttpStatus.UNAUTHORIZED_401, "sign in first");
            }
            return subscriber;
        });
    }

    /** Whether the request's {@code Origin} is the scheme, host and port it was sent to. */
    static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return false;
        }
        String scheme = request.isSecure() ? "https" : "http";
        int port = Request.getServerPort(request);
        String expected = scheme + "://" + Request.getServerName(request)
                + (port == ("https".equals(scheme) ? 443 : 80) ? "" : ":" + port);
        return origin.equalsIgnoreCase(expected);
    }

    private static Handler routes(Server server, ApplianceConfig config, Services services, HealthHandler health) {
        Resource web = ResourceFactory.of(server).newClassLoaderResource("web");
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(PathSpec.from("/healthz"), health);
        routes.addMapping(PathSpec.from("/api/v1/*"), services.api());
        routes.addMapping(PathSpec.from("/readyz"), health);
        if (config.diagnostics().heapEndpoint() && config.server().httpEnabled()) {
            routes.addMapping(PathSpec.from("/internal/heap"), new HeapHandler(PLAIN_CONNECTOR));
        }
        if (services.metrics() != null) {
            routes.addMapping(PathSpec.from("/metrics"), services.metrics());
        }
        // PathMappingsHandler hands each handler the path below its mapping, so each static tree is rooted there.
        routes.addMapping(PathSpec.from("/sdk/*"), compressed(staticFiles(web.resolve("sdk"))));
        routes.addMapping(PathSpec.from("/console/*"), compressed(staticFiles(web.resolve("console"))));
        if (services.demo() != null) {
            routes.addMapping(PathSpec.from("/demo/*"), compressed(services.demo()));
        }
        routes.addMapping(PathSpec.from(""), new Redirect("/console/"));
        routes.addMapping(PathSpec.from("/console"), new Redirect("/console/"));
        return routes;
    }

    /**
     * Gzip for the appliance's own scripts, styles and pages: every viewer downloads the SDK (and
     * on the demo page hls.js, 624 KB raw, 190 KB gzipped), over a branch office's WAN link
     * when the appliance sits in the data centre. Only these static types: video is already
     * compressed, and API answers, which carry CSRF tokens next to request data, are never
     * compressed (BREACH).
     */
    static Handler compressed(Handler handler) {
        GzipHandler gzip = new GzipHandler(handler);
        gzip.setIncludedMimeTypes("text/html", "text/javascript", "application/javascript", "text/css",
                "application/json", "image/svg+xml");
        gzip.setIncludedMethods("GET", "HEAD");
        return gzip;
    }

    private static ResourceHandler staticFiles(Resource web) {
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(web);
        files.setDirAllowed(false);
        files.setWelcomeFiles(List.of("index.html"));
        files.setEtags(true);
        files.setCacheControl("no-cache");
        return files;
    }

    /** Permanent redirect to a fixed path on the same origin. */
    private static final class Redirect extends Handler.Abstract.NonBlocking {
        private final String location;

        Redirect(String location) {
            this.location = location;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Response.sendRedirect(request, response, callback, HttpStatus.MOVED_PERMANENTLY_301, location, true);
            return true;
        }
    }

    public ApplianceServer start() throws Exception {
        server.start();
        LOG.info("server - listening on {}", String.join(", ", uris().stream().map(URI::toString).toList()));
        return this;
    }

    public URI httpsUri() {
        return uri("https", https);
    }

    /** The plain-HTTP listener's URI, or {@code null} when it is disabled. */
    public URI httpUri() {
        return http == null ? null : uri("http", http);
    }

    public List<URI> uris() {
        List<URI> uris = new ArrayList<>();
        uris.add(httpsUri());
        if (http != null) {
            uris.add(httpUri());
        }
        return uris;
    }

    private static URI uri(String scheme, ServerConnector connector) {
        String host = connector.getHost() == null || connector.getHost().isEmpty() ? "localhost" : connector.getHost();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create(scheme + "://" + host + ":" + connector.getLocalPort() + "/");
    }

    /** Starts serving the certificate chain now in the PKI directory (after an import); open connections keep theirs. */
    public void reloadCertificate() {
        try {
            tls.reload(f -> {
                f.setKeyStore(pki.serverKeyStore());
                f.setKeyStorePassword(new String(pki.keyStorePassword()));
            });
            LOG.info("server - now serving the newly imported certificate");
        } catch (Exception e) {
            throw new IllegalStateException("could not load the imported certificate: " + e.getMessage(), e);
        }
    }


    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops accepting, lets requests in flight finish within the shutdown timeout, then stops. */
    /** From now on {@code /readyz} answers 503 {@code draining}: the load balancer sends no new viewers here. */
    public void drain() {
        health.drain();
    }

    public boolean draining() {
        return health.draining();
    }

    @Override
    public void close() throws Exception {
        if (server.isStarted() || server.isStarting()) {
            LOG.info("server - stopping, draining requests for up to {} ms", server.getStopTimeout());
            server.stop();
            LOG.info("server - stopped");
        }
    }
}
