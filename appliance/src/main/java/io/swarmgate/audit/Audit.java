package io.swarmgate.audit;

import io.swarmgate.pki.AuditSigning;
import io.swarmgate.pki.Pki;
import io.swarmgate.qoe.QoeQueries;
import io.swarmgate.qoe.QoeRepository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The audit services over one database: the log, its checkpoints, exports, the security-event
 * digest, retention and compliance reports. The appliance starts the timers; a CLI process working on a stopped appliance's
 * database uses the same services without them.
 *
 * @param exportDir where exports are written before they are handed over (in the data directory)
 * @param trustedCa the CA certificate files signatures are checked against (the appliance CA and the
 *                  enterprise roots an audit-signing certificate was imported under), read when asked
 *                  because an import adds a root while the appliance runs)
 */
public record Audit(AuditLog log, Checkpoints checkpoints, AuditExporter exporter, SecurityDigest digest,
                    AuditRetention retention, ComplianceReports reports, Path exportDir,
                    Supplier<List<Path>> trustedCa)
        implements AutoCloseable {

    /** Entries are kept this long unless {@link #open(DataSource, Pki, Path, Duration, Clock)} says otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);

    /** The services for {@code dataSource}, signing with the audit-signing key of {@code pki} when needed. */
    public static Audit open(DataSource dataSource, Pki pki, Path exportDir, Clock clock) {
        return open(dataSource, pki, exportDir, DEFAULT_RETENTION, clock);
    }

    /** As {@link #open(DataSource, Pki, Path, Clock)}, keeping entries for {@code retention}. */
    public static Audit open(DataSource dataSource, Pki pki, Path exportDir, Duration retention, Clock clock) {
        AuditLog log = new AuditLog(dataSource, clock);
        Supplier<AuditSigning> signing = pki::auditSigning;
        Checkpoints checkpoints = new Checkpoints(log, signing);
        // Reports read the stored QoE history only, so they need no live aggregator (and work offline).
        QoeQueries history = new QoeQueries(new QoeRepository(dataSource), null, Map::of, clock);
        return new Audit(log, checkpoints, new AuditExporter(log, checkpoints, signing), new SecurityDigest(log, clock),
                new AuditRetention(log, checkpoints, retention, clock),
                new ComplianceReports(history, log, signing, clock), exportDir, pki::auditTrustFiles);
    }

    /** Starts the interval checkpoints, the per-minute security digest and the daily pruning. */
    public Audit start(Duration checkpointInterval) {
        checkpoints.start(checkpointInterval);
        digest.start();
        retention.start();
        return this;
    }

    /** Records what the digest still counts and stops the timers. */
    @Override
    public void close() {
        retention.close();
        digest.close();
        checkpoints.close();
    }
}
