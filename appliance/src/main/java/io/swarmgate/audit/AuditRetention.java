package io.swarmgate.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes entries older than the retention period without breaking verification: first the
 * newest entry to go is signed as a {@code prune} checkpoint — the new start of the chain, from
 * which {@link AuditVerifier} checks what is kept — then {@code audit.pruned} is recorded, then
 * the rows go in batches. A crash in between leaves rows behind the anchor, which verification
 * ignores and the next run deletes.
 */
public final class AuditRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);
    private static final int BATCH = 10_000;

    /** What one run did: entries up to {@code throughSeq} are gone ({@code 0}: nothing was due). */
    public record Pruned(long throughSeq, long entries) {
    }

    private final AuditLog log;
    private final Checkpoints checkpoints;
    private final Duration keep;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public AuditRetention(AuditLog log, Checkpoints checkpoints, Duration keep, Clock clock) {
        this.log = log;
        this.checkpoints = checkpoints;
        this.keep = keep;
        this.clock = clock;
    }

    /** Prunes a minute after start and then once a day, on a timer thread of its own. */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-retention");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                prune();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("audit - pruning old entries failed; tomorrow's run tries again: {}", e.getMessage());
            }
        }, 60, Duration.ofDays(1).toSeconds(), TimeUnit.SECONDS);
    }

    /** Prunes what is older than the retention period now. */
    public Pruned prune() throws SQLException {
        Instant cutoff = clock.instant().minus(keep);
        long anchor = checkpoints.all().stream().filter(cp -> Checkpoints.PRUNE.equals(cp.reason()))
                .mapToLong(Checkpoints.Checkpoint::seq).max().orElse(0);
        Optional<AuditEntry> last = lastBefore(cutoff);
        if (last.isEmpty() || last.get().seq() <= anchor) {
            deleteThrough(anchor); // rows a crashed run left behind its anchor
            return new Pruned(0, 0);
        }
        AuditEntry through = last.get();
        checkpoints.sign(through.seq(), through.hash(), Checkpoints.PRUNE);
        long count = countThrough(through.seq());
        log.record(AuditEvent.success(Actor.SYSTEM, "audit.pruned", null)
                .with("throughSeq", through.seq())
                .with("throughHash", through.hash())
                .with("entries", count)
                .with("olderThan", Canonical.time(cutoff))
                .with("retentionDays", keep.toDays()));
        deleteThrough(through.seq());
        LOG.info("audit - pruned {} entries up to {} (older than {} days); verification starts from the signed"
                + " checkpoint of entry {}", count, through.seq(), keep.toDays(), through.seq());
        return new Pruned(through.seq(), count);
    }

    private Optional<AuditEntry> lastBefore(Instant cutoff) throws SQLException {
        try (Connection c = log.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + AuditLog.COLUMNS + " FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry"
                        + " WHERE at < ?)")) {
            s.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(AuditLog.read(rs)) : Optional.empty();
            }
        }
    }

    private long countThrough(long seq) throws SQLException {
        try (Connection c = log.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM audit_entry WHERE seq <= ?")) {
            s.setLong(1, seq);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes in windows of sequence numbers, each its own transaction, so a large prune never holds one huge one. */
    private void deleteThrough(long seq) throws SQLException {
        if (seq <= 0) {
            return;
        }
        try (Connection c = log.dataSource().getConnection()) {
            long low;
            try (PreparedStatement s = c.prepareStatement("SELECT MIN(seq) FROM audit_entry");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getObject(1) == null) {
                    return;
                }
                low = rs.getLong(1);
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM audit_entry WHERE seq >= ? AND seq <= ?")) {
                for (long from = low; from <= seq; from += BATCH) {
                    s.setLong(1, from);
                    s.setLong(2, Math.min(seq, from + BATCH - 1));
                    s.executeUpdate();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
