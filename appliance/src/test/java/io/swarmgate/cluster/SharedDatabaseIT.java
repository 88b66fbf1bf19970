package io.swarmgate.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.Await;
import io.swarmgate.TestAppliance;
import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditVerifier;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.qoe.QoeReport;
import io.swarmgate.signaling.TestViewer;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.PostgresServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's database: two real appliances on one real PostgreSQL share streams, sites, QoE
 * and one audit chain, from the same migrations that build the embedded H2 database.
 */
@Timeout(300)
class SharedDatabaseIT {

    private static final Actor ADMIN = Actor.cli("test");
    private static PostgresServer postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    static Map<String, String> cluster(String url) {
        return Map.of(ConfigKey.DATABASE_URL, url, ConfigKey.DATABASE_USER, PostgresServer.USER,
                ConfigKey.DATABASE_PASSWORD_FILE, postgres.passwordFile().toString());
    }

    @Test
    void postgresqlGetsTheSameTablesAndSchemaVersionAsH2() throws Exception {
        String url = postgres.newDatabase();
        try (Database h2 = Database.open(new DataDirectory(dir.resolve("h2")).create(), 2, true);
             Database pg = Database.open(new DataDirectory(dir.resolve("pg")).create(),
                     new io.swarmgate.config.ApplianceConfig.Database(2, url, PostgresServer.USER, postgres.passwordFile(), 1000),
                     true)) {
            assertEquals(h2.schemaVersion(), pg.schemaVersion());
            assertEquals(columns(h2), columns(pg));
            assertTrue(pg.readiness().ready(), pg.readiness().detail());
            assertTrue(pg.shared());
        }
    }

    @Test
    void twoAppliancesShareStreamsSitesQoeAndOneAuditChain() throws Exception {
        String url = postgres.newDatabase();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        List<Appliance> started = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Appliance first = TestAppliance.start(a, Clock.systemUTC(), cluster(url));
            started.add(first);
            // One CA for the cluster: the second appliance starts with the first one's PKI.
            copyTree(a.resolve("pki"), b.resolve("pki"));
            Appliance second = TestAppliance.start(b, Clock.systemUTC(), cluster(url));
            started.add(second);

            first.policies().addStream(StreamPolicy.validated("townhall", null, P2pMode.ON, Map.of(), 8, UploadRules.DEFAULT,
                    List.of(), SecurityLevel.BASIC, List.of(), TokenSettings.NONE, Clock.systemUTC().instant()), ADMIN);
            assertTrue(second.policies().listStreams().stream().anyMatch(p -> p.id().equals("townhall")));

            // Audited changes from both appliances at once: one linear chain.
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Appliance on = i % 2 == 0 ? first : second;
                String cidr = "10.1." + i + ".0/24";
                writes.add(pool.submit(() -> {
                    on.policies().addSite(new SiteRange(cidr, "site-" + cidr.split("\\.")[2], ""), ADMIN);
                    return null;
                }));
            }
            for (Future<?> w : writes) {
                w.get();
            }
            assertEquals(20, first.policies().listSites().size());
            AuditVerifier.Result verified = new AuditVerifier(CmsSignatures.trusted(first.pki().caCertificateFile()))
                    .database(first.database().dataSource());
            assertTrue(verified.ok(), verified.problem());
            assertTrue(verified.entries() >= 23, "entries: " + verified.entries());

            // QoE of the same stream and site from both appliances adds up.
            QoeReport report = new QoeReport(1000, 3000, 0, 0, 0, 10_000, 400L, 800, QoeReport.Failures.NONE);
            first.qoe().aggregator().accept("townhall", "site-1", "p1", report);
            second.qoe().aggregator().accept("townhall", "site-1", "p2", report);
            // A stop writes the open minute: both write the same (stream, site, minute) rows.
            second.close();
            started.remove(second);
            first.qoe().aggregator().close();
            assertEquals(6000, single(first.database(),
                    "SELECT SUM(p2p_bytes) FROM qoe_minute_total WHERE stream_id = '*' AND site = '*'"));
            assertEquals(6000, single(first.database(),
                    "SELECT SUM(p2p_bytes) FROM qoe_minute WHERE stream_id = 'townhall' AND site = 'site-1'"));
        } finally {
            pool.shutdownNow();
            for (Appliance appliance : started) {
                appliance.close();
            }
        }
    }

    @Test
    void aPolicyChangeOnOneApplianceReachesTheOtherOnesConnectedViewersWithinSeconds() throws Exception {
        String url = postgres.newDatabase();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Map<String, String> settings = new java.util.HashMap<>(cluster(url));
        settings.put(ConfigKey.CLUSTER_SYNC_INTERVAL_MS, "300");
        try (Appliance first = TestAppliance.start(a, Clock.systemUTC(), settings)) {
            copyTree(a.resolve("pki"), b.resolve("pki"));
            try (Appliance second = TestAppliance.start(b, Clock.systemUTC(), settings)) {
                first.policies().addStream(StreamPolicy.validated("townhall", null, P2pMode.ON, Map.of(), 8, UploadRules.DEFAULT,
                        List.of(), SecurityLevel.BASIC, List.of(), TokenSettings.NONE, Clock.systemUTC().instant()),
                        ADMIN);
                Await.until("the second appliance to know the new stream policy", Duration.ofSeconds(10),
                        () -> second.policies().findStream("townhall").isPresent());
                URI ws = URI.create("ws://127.0.0.1:" + second.httpUri().getPort() + "/ws?stream=townhall");
                try (TestViewer viewer = TestViewer.connect(ws, "127.0.1.5", null)) {
                    assertEquals("on", viewer.joinStream("townhall").at("/policy/p2p").asText());
                    // Any appliance sees the whole cluster, and which appliance holds the stream.
                    ClusterNodes nodes = new ClusterNodes(first.database().dataSource(), first::httpsUri,
                            Clock.systemUTC(), Duration.ofSeconds(5));
                    String holder = ClusterNodes.name(second.httpsUri());
                    Await.until("the first appliance to see the second one's viewer", Duration.ofSeconds(10),
                            () -> nodes.fresh().stream().anyMatch(n -> n.node().equals(holder)
                                    && n.streams().getOrDefault("townhall", 0) == 1 && !n.self()));
                    assertEquals(2, nodes.fresh().size(), nodes.fresh().toString());
                    first.policies().updateStream("townhall", p -> StreamPolicy.validated(p.id(), p.urlPattern(),
                            P2pMode.DOWNLOAD_ONLY, p.siteModes(), p.maxNeighbours(), p.upload(),
                            p.allowedOrigins(), p.securityLevel(), p.siteGroups(), p.tokens(), p.updatedAt(), p.viewerParams()), ADMIN);
                    // The viewer on the other appliance is told, as for a change made there.
                    assertEquals("download-only", viewer.await("policy").at("/policy/p2p").asText());
                }
                first.policies().addSite(new SiteRange("10.9.0.0/16", "branch-9", ""), ADMIN);
                Await.until("the second appliance's site map to place 10.9.1.1 in branch-9", Duration.ofSeconds(10),
                        () -> "branch-9".equals(second.policies().siteMap()
                                .resolve(java.net.InetAddress.getByName("10.9.1.1")).name()));
            }
        }
    }

    @Test
    void aSitesLinkMeasuredOnAStoppingApplianceIsToldToTheOtherOnesJoiners() throws Exception {
        String url = postgres.newDatabase();
        Map<String, String> settings = new java.util.HashMap<>(cluster(url));
        settings.put(ConfigKey.CLUSTER_SYNC_INTERVAL_MS, "300");
        List<Appliance> started = new ArrayList<>();
        try {
            Appliance first = TestAppliance.start(dir.resolve("a"), Clock.systemUTC(), settings);
            started.add(first);
            copyTree(dir.resolve("a").resolve("pki"), dir.resolve("b").resolve("pki"));
            Appliance second = TestAppliance.start(dir.resolve("b"), Clock.systemUTC(), settings);
            started.add(second);
            String branch;
            try (TestViewer viewer = TestViewer.connect(ws(first, "townhall"), "127.0.4.1", null)) {
                branch = viewer.joinStream("townhall").get("site").asText();
                viewer.send("{\"type\":\"report\",\"httpBytes\":800000,\"p2pBytes\":0,\"uploadedBytes\":0,"
                        + "\"stalls\":0,\"stallMs\":0,\"watchMs\":10000,\"level\":0,\"bitrateKbps\":300,"
                        + "\"neighbours\":0,\"httpKbps\":2400}");
                Await.until("the first appliance to measure the branch's link", Duration.ofSeconds(10),
                        () -> first.signaling().siteLinks().containsKey(branch));
            }
            // The first stops (an upgrade; its streams move to the second): the stop stores the
            // branch's figure, which the second picks up within a sync interval.
            first.close();
            started.remove(first);
            Await.until("the second appliance to know the branch's link", Duration.ofSeconds(10),
                    () -> second.signaling().siteLinks().containsKey(branch));
            try (TestViewer joiner = TestViewer.connect(ws(second, "weekly"), "127.0.4.2", null)) {
                assertEquals(2_400, joiner.joinStream("weekly").path("siteHttpKbps").asLong(),
                        "the first joiner of another stream in the branch is told its thin link");
            }
        } finally {
            for (Appliance appliance : started) {
                appliance.close();
            }
        }
    }

    private static URI ws(Appliance appliance, String stream) {
        return URI.create("ws://127.0.0.1:" + appliance.httpUri().getPort() + "/ws?stream=" + stream);
    }

    private static long single(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every table.column of the application's schema, lower case, without Flyway's own table. */
    private static TreeSet<String> columns(Database db) throws SQLException {
        TreeSet<String> out = new TreeSet<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getColumns(null, c.getSchema(), "%", "%")) {
            while (rs.next()) {
                String table = rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT);
                if (!table.equals("flyway_schema_history")) {
                    out.add(table + "." + rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return out;
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
