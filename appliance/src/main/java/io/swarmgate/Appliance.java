package io.swarmgate;

import io.swarmgate.demo.DemoHandler;
import io.swarmgate.api.IntegrityResource;
import io.swarmgate.discovery.Announcer;
import io.swarmgate.pki.SubjectNames;
import io.swarmgate.integrity.IntegrityLedger;
import io.swarmgate.integrity.SegmentHashes;
import io.swarmgate.api.AdminResource;
import io.swarmgate.api.AuditResource;
import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.SyslogForwarder;
import io.swarmgate.api.ApiHandler;
import io.swarmgate.api.CertificateResource;
import io.swarmgate.api.LiveFeed;
import io.swarmgate.api.OpenApi;
import io.swarmgate.api.QoeResource;
import io.swarmgate.api.Route;
import io.swarmgate.api.SessionResource;
import io.swarmgate.api.SiteResource;
import io.swarmgate.api.StreamResource;
import io.swarmgate.api.SystemResource;
import io.swarmgate.cli.ServeCommand;
import io.swarmgate.cli.VersionCommand;
import io.swarmgate.cluster.ClusterNodes;
import io.swarmgate.cluster.ClusterSync;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.ApiTokens;
import io.swarmgate.console.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.control.Certificates;
import io.swarmgate.control.ControlServer;
import io.swarmgate.pki.Pki;
import io.swarmgate.policy.PageOrigins;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SiteRepository;
import io.swarmgate.policy.StreamPolicyRepository;
import io.swarmgate.metrics.ApplianceMetrics;
import io.swarmgate.metrics.MetricsAuth;
import io.swarmgate.metrics.MetricsHandler;
import io.swarmgate.qoe.QoeAggregator;
import io.swarmgate.qoe.QoeQueries;
import io.swarmgate.qoe.QoeRepository;
import io.swarmgate.qoe.QoeRollup;
import io.swarmgate.signaling.SignalingService;
import io.swarmgate.signaling.SiteLinkRepository;
import io.swarmgate.signaling.SiteLinkStore;
import io.swarmgate.server.ApplianceServer;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: every long-lived component, created and wired by hand in one place and
 * closed in reverse order. {@code swarmgate serve} and the integration tests both start it here.
 */
public final class Appliance implements ServeCommand.Running {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    private final ApplianceConfig config;
    private final DataDirectory dataDir;
    private final Pki pki;
    private final Database database;
    private final PolicyService policies;
    private final SignalingService signaling;
    private final ApplianceServer server;
    private final ControlServer control;
    private final ApiHandler api;
    private final LiveFeed live;
    private final Qoe qoe;
    private final Audit audit;
    /** Null when no syslog collector is configured. */
    private final SyslogForwarder forwarder;
    private final Announcer discovery;
    /** Null unless the database is shared (cluster mode). */
    private final ClusterSync cluster;
    /** The sites' remembered link figures in the database (read at start, written once a minute and at the stop). */
    private final SiteLinkStore links;

    /**
     * The QoE pipeline: reports in (aggregator), housekeeping (rollup), reads (queries, and the
     * {@code /metrics} registry that scrapes them).
     */
    public record Qoe(QoeAggregator aggregator, QoeRollup rollup, QoeQueries queries, ApplianceMetrics metrics)
            implements AutoCloseable {
        /** Stops the rollup timer, then writes what the aggregator still holds. */
        @Override
        public void close() {
            if (rollup != null) {
                rollup.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            aggregator.close();
        }
    }

    private Appliance(ApplianceConfig config, DataDirectory dataDir, Pki pki, Database database,
                      PolicyService policies, SignalingService signaling, ApplianceServer server,
                      ControlServer control, ApiHandler api, Qoe qoe, LiveFeed live, Announcer discovery,
                      Audit audit, SyslogForwarder forwarder, ClusterSync cluster, SiteLinkStore links) {
        this.cluster = cluster;
        this.links = links;
        this.audit = audit;
        this.forwarder = forwarder;
        this.discovery = discovery;
        this.live = live;
        this.api = api;
        this.qoe = qoe;
        this.control = control;
        this.policies = policies;
        this.signaling = signaling;
        this.config = config;
        this.dataDir = dataDir;
        this.pki = pki;
        this.database = database;
        this.server = server;
    }

    /**
     * Prepares the data directory (creating the database and the PKI on a first start) and starts
     * serving. On failure everything already opened is closed again.
     */
    public static Appliance start(ApplianceConfig config, Clock clock) throws Exception {
        JvmCollector.report();
        DataDirectory dataDir = new DataDirectory(config.dataDir()).create();
        Pki pki = Pki.at(dataDir.pkiDir());
        if (pki.initialize(config.server().hostnames())) {
            LOG.info("appliance - first start: created the appliance CA; distribute {} to trust stores",
                    pki.caCertificateFile());
        }
        Database database = Database.open(dataDir, config.database(), true);
        SignalingService signaling = null;
        Qoe qoe = null;
        LiveFeed live = null;
        Audit audit = null;
        SyslogForwarder forwarder = null;
        SiteLinkStore links = null;
        try {
            audit = Audit.open(database.dataSource(), pki, dataDir.exportDir(),
                            Duration.ofDays(config.audit().retentionDays()), clock)
                    .start(Duration.ofSeconds(config.audit().checkpointIntervalSeconds()));
            AuditStart.record(audit.log(), config, VersionCommand.version());
            forwarder = syslogForwarder(config, audit);
            PolicyService policies = new PolicyService(new SiteRepository(database.dataSource()),
                    new StreamPolicyRepository(database.dataSource()), PolicyService.Defaults.of(config.mesh()), clock,
                    audit.log());
            QoeRepository qoeRepository = new QoeRepository(database.dataSource());
            QoeAggregator aggregator = new QoeAggregator(qoeRepository, clock, new QoeAggregator.Settings(
                    config.qoe().flushIntervalMs(), config.qoe().maxUnflushedRows()));
            qoe = new Qoe(aggregator, null, null, null);
            policies.warnAboutOpenPolicies();
            AtomicReference<ApplianceServer> serverRef = new AtomicReference<>();
            // The listeners' ports are known once the server is bound (port 0 in tests): read them late.
            PageOrigins pageOrigins = new PageOrigins(config.server().hostnames(), config.security().intranetOrigins(),
                    () -> serverRef.get() == null ? List.of() : serverRef.get().uris());
            DemoHandler demo = config.demo().enabled()
                    ? new DemoHandler(config.demo(), clock, "web") : null;
            SegmentHashes hashes = IntegrityWiring.hashes(config, pageOrigins, demo, clock);
            IntegrityLedger ledger = IntegrityWiring.ledger(config, clock);
            var digest = audit.digest();
            ledger.onBarred(o -> digest.count("integrity.barred", address(o.address()), o.streamId(), o.site()));
            signaling = new SignalingService(config.mesh(), config.signaling(), policies, pageOrigins, hashes, ledger,
                    QoeWiring.reports(aggregator), clock);
            signaling.onRefusal((address, origin, code) -> digest.count("signaling.refused", address, origin, code));
            signaling.stun().offer(io.swarmgate.stun.StunResponder.fromConfig(config.stun(), config.server().bind(), clock));
            // Before the server lets viewers in: the first joiners of a site are told its stored link figure.
            links = SiteLinkStore.load(signaling, new SiteLinkRepository(database.dataSource()),
                    site -> policies.siteMap().places(site), clock);
            qoe = QoeWiring.start(config, qoeRepository, aggregator, signaling, clock);
            AdminAccounts accounts = AdminAccounts.open(config.auth(), database, dataDir, clock, audit);
            accounts.ensureFirstAdmin(dataDir.initialPasswordFile(), Actor.SYSTEM);
            Sessions sessions = new Sessions(Duration.ofMinutes(config.auth().sessionIdleMinutes()),
                    Duration.ofHours(config.auth().sessionAbsoluteHours()), clock);
            ApiTokens tokens = new ApiTokens(database.dataSource(), clock, audit.log());
            live = new LiveFeed(qoe.queries(), sessions);
            ApiHandler api = api(config, dataDir, database, pki, policies, accounts, sessions, tokens, qoe, clock,
                    serverRef::get, signaling, audit);
            ApplianceServer server = ApplianceServer.newServer(config,
                    new ApplianceServer.Services(database, pki, signaling, api, live, clock, VersionCommand.version(),
                            new MetricsHandler(qoe.metrics(), config.metrics().allowedNetworks(), metricsAuth(tokens)),
                            demo));
            serverRef.set(server);
            server.start();
            links.start(ClusterNodes.name(server.httpsUri()),
                    database.shared() ? Duration.ofMillis(config.database().syncIntervalMs()) : null);
            ControlServer control = new ControlServer(dataDir, database.dataSource(), policies, accounts, sessions,
                    audit, new Certificates(pki, config.server().hostnames(), server::reloadCertificate),
                    Main::newCommandLine);
            Announcer discovery = Announcer.start(config.discovery(), config.server().bind(),
                    SubjectNames.machineHostnames().stream().findFirst().orElse("swarmgate"), server.httpsUri().getPort(),
                    VersionCommand.version(), pki.report().ca().sha256Fingerprint());
            ClusterSync cluster = ClusterWiring.sync(config, database, policies, signaling, server, clock);
            return new Appliance(config, dataDir, pki, database, policies, signaling, server, control, api, qoe, live,
                    discovery, audit, forwarder, cluster, links);
        } catch (Exception | Error e) {
            if (live != null) {
                live.close();
            }
            if (signaling != null) {
                signaling.close();
            }
            if (links != null) {
                links.close();
            }
            if (qoe != null) {
                qoe.close();
            }
            if (forwarder != null) {
                forwarder.close();
            }
            if (audit != null) {
                audit.close();
            }
            database.close();
            throw e;
        }
    }

    /**
     * The syslog forwarder of {@code audit.syslog-address}, started; null without one. A CA,
     * certificate or key file that cannot be used stops the start naming its key.
     */
    private static SyslogForwarder syslogForwarder(ApplianceConfig config, Audit audit) {
        if (!config.audit().forwarding()) {
            return null;
        }
        String hostname = config.server().hostnames().isEmpty()
                ? SubjectNames.machineHostnames().stream().findFirst().orElse("swarmgate")
                : config.server().hostnames().get(0);
        return new SyslogForwarder(audit.log(), SyslogForwarder.Target.of(config.audit(), hostname)).start();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal from the ledger: no lookup
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static ApiHandler api(ApplianceConfig config, DataDirectory dataDir, Database database, Pki pki,
                                  PolicyService policies, AdminAccounts accounts, Sessions sessions, ApiTokens tokens,
                                  Qoe qoe, Clock clock, java.util.function.Supplier<ApplianceServer> server,
                                  SignalingService signaling, Audit audit) {
        BiFunction<InetAddress, String, InetAddress> clientAddress = signaling::clientAddress;
        List<Route> routes = new ArrayList<>();
        routes.addAll(new SessionResource(accounts, sessions, audit.log()).routes());
        routes.addAll(new StreamResource(policies).routes());
        routes.addAll(new IntegrityResource(signaling.hashes(), signaling.ledger(), signaling::unverifiedTransfers).routes());
        routes.addAll(new SiteResource(policies).routes());
        routes.addAll(new AdminResource(accounts, sessions, tokens).routes());
        routes.addAll(new CertificateResource(pki, config.server().hostnames(), dataDir,
                () -> server.get().reloadCertificate(), clock, audit.log()).routes());
        routes.addAll(new AuditResource(audit, dataDir.exportDir()).routes());
        routes.addAll(new SystemResource(config, database, VersionCommand.version()).routes());
        routes.addAll(new QoeResource(qoe.queries()).routes());
        routes.addAll(ClusterWiring.resource(config, database, signaling, server, clock).routes());
        List<Route> all = routes;
        routes.add(new OpenApi(() -> List.copyOf(all), VersionCommand.version()).route());
        return new ApiHandler(routes, sessions, tokens, accounts, clientAddress, audit.log());
    }

    /** Any valid, unrevoked API token may scrape /metrics, whatever its role. */
    private static MetricsAuth metricsAuth(ApiTokens tokens) {
        return token -> {
            try {
                return tokens.authenticate(token).isPresent();
            } catch (java.sql.SQLException e) {
                LOG.warn("metrics - cannot check an API token: {}", e.getMessage());
                return false;
            }
        };
    }

    public Qoe qoe() {
        return qoe;
    }

    /** Every REST endpoint the appliance answers. */
    public List<Route> apiRoutes() {
        return api.routes();
    }

    public PolicyService policies() {
        return policies;
    }

    public SignalingService signaling() {
        return signaling;
    }

    public ApplianceConfig config() {
        return config;
    }

    public DataDirectory dataDir() {
        return dataDir;
    }

    public Pki pki() {
        return pki;
    }

    public Database database() {
        return database;
    }

    public Audit audit() {
        return audit;
    }

    public ApplianceServer server() {
        return server;
    }

    @Override
    public URI httpsUri() {
        return server.httpsUri();
    }

    /** {@code null} when plain HTTP is disabled. */
    @Override
    public URI httpUri() {
        return server.httpUri();
    }

    @Override
    public List<URI> uris() {
        return server.uris();
    }

    @Override
    public void close() throws Exception {
        // The mDNS goodbye (JmDNS sends it several times and waits between) takes seconds; it
        // runs while the appliance drains, instead of after, so a stop is that much shorter.
        long stopStart = System.nanoTime();
        Thread goodbye = new Thread(discovery::close, "discovery-goodbye");
        goodbye.start();
        try {
            ClusterWiring.drain(config.server(), server, signaling);
            long drained = System.nanoTime();
            if (cluster != null) {
                cluster.close();
            }
            control.close();
            live.close();
            signaling.close();
            long signalingClosed = System.nanoTime();
            server.close();
            long serverClosed = System.nanoTime();
            goodbye.join();
            LOG.info("appliance - stopped serving after {} ms (drain {} ms, closing signaling {} ms, server {} ms,"
                    + " then {} ms for the mDNS goodbye)",
                    millis(System.nanoTime() - stopStart), millis(drained - stopStart), millis(signalingClosed - drained),
                    millis(serverClosed - signalingClosed), millis(System.nanoTime() - serverClosed));
        } finally {
            try {
                // After signaling and the server: no report can arrive any more, so nothing is lost.
                links.close();
                qoe.close();
            } finally {
                try {
                    if (forwarder != null) {
                        forwarder.close();
                    }
                    // Last: what the digest still counts and the stop itself are recorded before the database closes.
                    audit.close();
                    audit.log().record(AuditEvent.success(Actor.SYSTEM, "appliance.stopped", null));
                } catch (java.sql.SQLException | RuntimeException e) {
                    LOG.warn("audit - cannot record the stop: {}", e.getMessage());
                } finally {
                    database.close();
                }
            }
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
