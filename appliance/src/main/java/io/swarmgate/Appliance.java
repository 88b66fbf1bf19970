package io.swarmgate;

import io.swarmgate.api.AdminResource;
import io.swarmgate.api.ApiHandler;
import io.swarmgate.api.CertificateResource;
import io.swarmgate.api.OpenApi;
import io.swarmgate.api.Route;
import io.swarmgate.api.SessionResource;
import io.swarmgate.api.SiteResource;
import io.swarmgate.api.StreamResource;
import io.swarmgate.api.SystemResource;
import io.swarmgate.cli.VersionCommand;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.AdminRepository;
import io.swarmgate.console.ApiTokens;
import io.swarmgate.console.PasswordHasher;
import io.swarmgate.console.Sessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.control.ControlServer;
import io.swarmgate.pki.Pki;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SiteRepository;
import io.swarmgate.policy.StreamPolicyRepository;
import io.swarmgate.signaling.ReportSink;
import io.swarmgate.signaling.SignalingService;
import io.swarmgate.server.ApplianceServer;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance: every long-lived component, created and wired by hand in one place and
 * closed in reverse order. {@code swarmgate serve} and the integration tests both start it here.
 */
public final class Appliance implements AutoCloseable {

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

    private Appliance(ApplianceConfig config, DataDirectory dataDir, Pki pki, Database database,
                      PolicyService policies, SignalingService signaling, ApplianceServer server,
                      ControlServer control, ApiHandler api) {
        this.control = control;
        this.api = api;
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
        DataDirectory dataDir = new DataDirectory(config.dataDir()).create();
        Pki pki = Pki.at(dataDir.pkiDir());
        if (pki.initialize(config.server().hostnames())) {
            LOG.info("appliance - first start: created the appliance CA; distribute {} to trust stores",
                    pki.caCertificateFile());
        }
        Database database = Database.open(dataDir, config.database().poolSize(), true);
        SignalingService signaling = null;
        try {
            PolicyService policies = new PolicyService(new SiteRepository(database.dataSource()),
                    new StreamPolicyRepository(database.dataSource()), policyDefaults(config.mesh()), clock);
            signaling = new SignalingService(config.mesh(), config.signaling(), policies, reportSink(), clock);
            AdminAccounts accounts = accounts(config.auth(), database, dataDir, clock);
            accounts.ensureFirstAdmin(dataDir.initialPasswordFile());
            AtomicReference<ApplianceServer> serverRef = new AtomicReference<>();
            ApiHandler api = api(config, dataDir, database, pki, policies, accounts, clock,
                    () -> serverRef.get().reloadCertificate());
            ApplianceServer server = ApplianceServer.newServer(config,
                    new ApplianceServer.Services(database, pki, signaling, api, clock, VersionCommand.version()));
            serverRef.set(server);
            server.start();
            ControlServer control = new ControlServer(dataDir.controlSocket(), policies, accounts);
            return new Appliance(config, dataDir, pki, database, policies, signaling, server, control, api);
        } catch (Exception | Error e) {
            if (signaling != null) {
                signaling.close();
            }
            database.close();
            throw e;
        }
    }

    /** Administrator accounts over the database, with the configured hashing cost and lockout. */
    public static AdminAccounts accounts(ApplianceConfig.Auth auth, Database database, DataDirectory dataDir,
                                         Clock clock) {
        return new AdminAccounts(new AdminRepository(database.dataSource()),
                new PasswordHasher(auth.argon2MemoryKib(), auth.argon2Iterations()),
                new AdminAccounts.Lockout(auth.lockoutFailures(), Duration.ofMinutes(auth.lockoutMinutes())), clock,
                username -> {
                    if (AdminAccounts.FIRST_ADMIN.equals(username)) {
                        try {
                            java.nio.file.Files.deleteIfExists(dataDir.initialPasswordFile());
                        } catch (java.io.IOException e) {
                            LOG.warn("appliance - cannot delete {}: {}", dataDir.initialPasswordFile(), e.getMessage());
                        }
                    }
                });
    }

    private static ApiHandler api(ApplianceConfig config, DataDirectory dataDir, Database database, Pki pki,
                                  PolicyService policies, AdminAccounts accounts, Clock clock, Runnable reloadCertificate) {
        Sessions sessions = new Sessions(Duration.ofMinutes(config.auth().sessionIdleMinutes()),
                Duration.ofHours(config.auth().sessionAbsoluteHours()), clock);
        ApiTokens tokens = new ApiTokens(database.dataSource(), clock);
        List<Route> routes = new ArrayList<>();
        routes.addAll(new SessionResource(accounts, sessions).routes());
        routes.addAll(new StreamResource(policies).routes());
        routes.addAll(new SiteResource(policies).routes());
        routes.addAll(new AdminResource(accounts, sessions, tokens).routes());
        routes.addAll(new CertificateResource(pki, config.server().hostnames(), dataDir, reloadCertificate, clock).routes());
        routes.addAll(new SystemResource(config, database, VersionCommand.version()).routes());
        List<Route> all = routes;
        routes.add(new OpenApi(() -> List.copyOf(all), VersionCommand.version()).route());
        return new ApiHandler(routes, sessions, tokens, accounts);
    }

    public static PolicyService.Defaults policyDefaults(ApplianceConfig.Mesh mesh) {
        return new PolicyService.Defaults(mesh.targetDegree(), mesh.maxNeighbours(), mesh.leadersPerSite(),
                mesh.uploadOnCellular());
    }

    /** Until the analytics store exists, reports are counted by the signaling service and dropped. */
    private static ReportSink reportSink() {
        return (streamId, site, peerId, report) -> { };
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

    public ApplianceServer server() {
        return server;
    }

    public URI httpsUri() {
        return server.httpsUri();
    }

    /** {@code null} when plain HTTP is disabled. */
    public URI httpUri() {
        return server.httpUri();
    }

    @Override
    public void close() throws Exception {
        try {
            control.close();
            signaling.close();
            server.close();
        } finally {
            database.close();
        }
    }
}
