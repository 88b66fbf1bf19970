package io.swarmgate;

import io.swarmgate.cli.VersionCommand;
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

    private Appliance(ApplianceConfig config, DataDirectory dataDir, Pki pki, Database database,
                      PolicyService policies, SignalingService signaling, ApplianceServer server,
                      ControlServer control) {
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
            ApplianceServer server = ApplianceServer.newServer(config,
                    new ApplianceServer.Services(database, pki, signaling, clock, VersionCommand.version()));
            server.start();
            ControlServer control = new ControlServer(dataDir.controlSocket(), policies);
            return new Appliance(config, dataDir, pki, database, policies, signaling, server, control);
        } catch (Exception | Error e) {
            if (signaling != null) {
                signaling.close();
            }
            database.close();
            throw e;
        }
    }

    public static PolicyService.Defaults policyDefaults(ApplianceConfig.Mesh mesh) {
        return new PolicyService.Defaults(mesh.targetDegree(), mesh.maxNeighbours(), mesh.leadersPerSite(),
                mesh.uploadOnCellular());
    }

    /** Until the analytics store exists, reports are counted by the signaling service and dropped. */
    private static ReportSink reportSink() {
        return (streamId, site, peerId, report) -> { };
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
