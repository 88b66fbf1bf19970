package io.swarmgate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.BenchOptions;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.pki.Pki;
import io.swarmgate.policy.SiteRepository;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.Transactions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit benchmark behind {@code scripts/bench-audit} (not a test). Measures what recording
 * adds to an admin change — the same site-range upsert committed with and without its audit
 * entry, p50 and p99 — then seeds a valid chain of {@code --entries} entries and times
 * {@code verify} over the database and an export of all of them as JSON lines and CSV (signing
 * included). Prints one JSON line on stdout; progress on stderr. See docs/benchmarks.md, "Audit".
 *
 * <p>Arguments (all optional): {@code --data-dir DIR --entries 1000000 --changes 5000 --warmups 1000}.
 */
public final class AuditBench {

    public static void main(String[] args) throws Exception {
        BenchOptions opt = BenchOptions.parseOrExit("bench-audit", args,
                Map.of("--entries", "1000000", "--changes", "5000", "--warmups", "1000"), "--data-dir");
        Path root = opt.path("--data-dir") != null ? Path.of(opt.path("--data-dir")) : Files.createTempDirectory("bench-audit");
        DataDirectory dataDir = new DataDirectory(root).create();
        Pki pki = Pki.at(dataDir.pkiDir());
        pki.initialize(List.of("bench.swarmgate.test"));
        Map<String, Object> result = new LinkedHashMap<>();
        try (Database db = Database.open(dataDir, 4, true);
             Audit audit = Audit.open(db.dataSource(), pki, dataDir.exportDir(), Clock.systemUTC())) {
            int changes = opt.number("--changes");
            int warmups = opt.number("--warmups");
            SiteRepository sites = new SiteRepository(db.dataSource());
            double[] bare = new double[changes];
            double[] recorded = new double[changes];
            // Where the time goes: the statements inside the transaction, and its commit.
            double[] bareCommit = new double[changes];
            double[] recordedWork = new double[changes];
            double[] recordedCommit = new double[changes];
            long[] inside = new long[2];
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            long gcCount = 0;
            long gcMillis = 0;
            for (int i = -warmups; i < changes; i++) {
                if (i == 0) {
                    gcCount = -gcCount();
                    gcMillis = -gcMillis();
                }
                SiteRange range = new SiteRange("10." + ((i + warmups) / 256 % 256) + "." + ((i + warmups) % 256)
                        + ".0/24", "site-" + i, "");
                long t0 = System.nanoTime();
                Transactions.run(db.dataSource(), c -> {
                    sites.upsert(c, range, Instant.now());
                    inside[0] = System.nanoTime();
                    return null;
                });
                long t1 = System.nanoTime();
                long[] started = new long[1];
                audit.log().transaction(c -> {
                    started[0] = System.nanoTime();
                    sites.upsert(c, range, Instant.now());
                    AuditEntry e = audit.log().append(c, AuditEvent.success(Actor.of("admin", null), "site.saved",
                            range.cidr()).with("before", range).with("after", range));
                    inside[1] = System.nanoTime();
                    return e;
                });
                long t2 = System.nanoTime();
                if (i >= 0) {
                    bare[i] = (t1 - t0) / 1e6;
                    recorded[i] = (t2 - t1) / 1e6;
                    bareCommit[i] = (t1 - inside[0]) / 1e6;
                    recordedWork[i] = (inside[1] - started[0]) / 1e6;
                    recordedCommit[i] = (t2 - inside[1]) / 1e6;
                }
            }
            gcCount += gcCount();
            gcMillis += gcMillis();
            Arrays.sort(bare);
            Arrays.sort(recorded);
            result.put("changes", changes);
            result.put("change_p50_ms", round(bare[changes / 2]));
            result.put("change_p99_ms", round(bare[changes * 99 / 100]));
            result.put("recorded_change_p50_ms", round(recorded[changes / 2]));
            result.put("recorded_change_p99_ms", round(recorded[changes * 99 / 100]));
            result.put("recording_overhead_p99_ms", round(recorded[changes * 99 / 100] - bare[changes * 99 / 100]));
            Arrays.sort(bareCommit);
            Arrays.sort(recordedWork);
            Arrays.sort(recordedCommit);
            result.put("commit_p99_ms", round(bareCommit[changes * 99 / 100]));
            result.put("recorded_work_p99_ms", round(recordedWork[changes * 99 / 100]));
            result.put("recorded_commit_p99_ms", round(recordedCommit[changes * 99 / 100]));
            result.put("gc_pauses_during_changes", gcCount);
            result.put("gc_ms_during_changes", gcMillis);
            result.put("load_average_1m", round(loadBefore));

            long entries = opt.number("--entries");
            System.err.println("bench-audit: seeding " + entries + " entries ...");
            long t = System.nanoTime();
            seed(db, audit.log(), entries);
            result.put("seed_s", round((System.nanoTime() - t) / 1e9));
            result.put("entries", audit.log().head().seq());
            audit.checkpoints().signHead(Checkpoints.INTERVAL);

            System.err.println("bench-audit: verifying ...");
            AuditVerifier verifier = new AuditVerifier(CmsSignatures.trusted(pki.caCertificateFile()));
            t = System.nanoTime();
            AuditVerifier.Result verified = verifier.database(db.dataSource());
            result.put("verify_s", round((System.nanoTime() - t) / 1e9));
            result.put("verify_ok", verified.ok());
            for (ExportFormat format : ExportFormat.AUDIT_LOG) {
                System.err.println("bench-audit: exporting as " + format.wire() + " ...");
                Path file = dataDir.exportDir().resolve("bench." + format.extension());
                t = System.nanoTime();
                AuditExporter.Export export = audit.exporter().export(Actor.cli("bench"), format, null, null, file);
                result.put("export_" + format.wire() + "_s", round((System.nanoTime() - t) / 1e9));
                result.put("export_" + format.wire() + "_mb", round(Files.size(file) / 1e6));
                result.put("export_" + format.wire() + "_entries", export.entries());
                t = System.nanoTime();
                boolean ok = verifier.export(file).ok();
                result.put("verify_export_" + format.wire() + "_s", round((System.nanoTime() - t) / 1e9));
                result.put("verify_export_" + format.wire() + "_ok", ok);
                Files.delete(file);
                Files.delete(AuditExporter.signatureFile(file));
            }
        }
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    /** Appends {@code n} chained entries in batches, as the log would, without a commit per entry. */
    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionCount()))
                .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
                .sum();
    }

    private static void seed(Database db, AuditLog log, long n) throws Exception {
        AuditLog.Head head = log.head();
        String previous = head.hash();
        long seq = head.seq();
        Instant time = Instant.now().minusSeconds(n).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_entry (" + AuditLog.COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (long i = 0; i < n; i++) {
                    seq++;
                    Instant at = time.plusSeconds(i);
                    String cidr = "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256) + "/32";
                    String details = "{\"after\":{\"cidr\":\"" + cidr + "\",\"label\":\"\",\"site\":\"site-" + (i % 500)
                            + "\"},\"before\":null}";
                    String actor = i % 3 == 0 ? "token:benchtoken1" : "admin";
                    previous = Canonical.chain(previous, Canonical.entry(seq, at, actor, "10.0.0.5", "site.saved", cidr,
                            "success", details));
                    s.setLong(1, seq);
                    s.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                    s.setString(3, actor);
                    s.setString(4, "10.0.0.5");
                    s.setString(5, "site.saved");
                    s.setString(6, cidr);
                    s.setString(7, "success");
                    s.setString(8, details);
                    s.setString(9, previous);
                    s.addBatch();
                    if (seq % 10_000 == 0) {
                        s.executeBatch();
                        c.commit();
                    }
                }
                s.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
                s.setLong(1, seq);
                s.setString(2, previous);
                s.executeUpdate();
            }
            c.commit();
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
