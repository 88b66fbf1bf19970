package io.swarmgate.audit;

import io.swarmgate.pki.AuditSigning;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed checkpoints of the chain ({@code audit_checkpoint}): "entry {@code seq} had hash
 * {@code hash}" at {@code time}, signed with the audit-signing key. Whoever holds a checkpoint —
 * the database keeps them all, every export carries one — can tell when rows were later cut off
 * the end of the log or the chain was rewritten before it. Taken at a fixed interval when the
 * log has grown, at every export, and when retention prunes (the new start of the chain).
 */
public final class Checkpoints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    /** Why a checkpoint was taken. */
    public static final String INTERVAL = "interval";
    public static final String EXPORT = "export";
    public static final String PRUNE = "prune";

    /**
     * One signed checkpoint.
     *
     * @param signature detached CMS (DER) over {@link #payload()}
     */
    public record Checkpoint(long seq, String hash, Instant time, String reason, byte[] signature) {
        /** The canonical text the signature covers. */
        public String payload() {
            return Canonical.checkpoint(seq, hash, time);
        }
    }

    private final AuditLog log;
    private final Supplier<AuditSigning> signing;
    private ScheduledExecutorService timer;

    /** @param signing the audit-signing key, asked for only when something is signed */
    public Checkpoints(AuditLog log, Supplier<AuditSigning> signing) {
        this.log = log;
        this.signing = signing;
    }

    /** Signs the committed head now and stores the checkpoint. */
    public Checkpoint signHead(String reason) throws SQLException {
        AuditLog.Head head = log.head();
        return sign(head.seq(), head.hash(), reason);
    }

    /** Signs "entry {@code seq} has {@code hash}" now and stores the checkpoint. */
    public Checkpoint sign(long seq, String hash, String reason) throws SQLException {
        Instant now = log.clock().instant().truncatedTo(ChronoUnit.MILLIS);
        byte[] signature = signing.get().sign(Canonical.checkpoint(seq, hash, now).getBytes(StandardCharsets.US_ASCII));
        try (Connection c = log.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO audit_checkpoint (seq, hash, at, reason, signature) VALUES (?, ?, ?, ?, ?)")) {
            s.setLong(1, seq);
            s.setString(2, hash);
            s.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            s.setString(4, reason);
            s.setBytes(5, signature);
            s.executeUpdate();
        }
        return new Checkpoint(seq, hash, now, reason, signature);
    }

    /** The newest checkpoint by sequence number. */
    public Optional<Checkpoint> latest() throws SQLException {
        try (Connection c = log.dataSource().getConnection()) {
            List<Checkpoint> one = read(c, "SELECT seq, hash, at, reason, signature FROM audit_checkpoint"
                    + " ORDER BY seq DESC, id DESC LIMIT 1");
            return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
        }
    }

    /** Every stored checkpoint, by sequence number. */
    public List<Checkpoint> all() throws SQLException {
        try (Connection c = log.dataSource().getConnection()) {
            return all(c);
        }
    }

    static List<Checkpoint> all(Connection c) throws SQLException {
        return read(c, "SELECT seq, hash, at, reason, signature FROM audit_checkpoint ORDER BY seq, id");
    }

    private static List<Checkpoint> read(Connection c, String sql) throws SQLException {
        List<Checkpoint> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(new Checkpoint(rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                        rs.getString(4), rs.getBytes(5)));
            }
        }
        return out;
    }

    /**
     * Signs the head every {@code interval} when entries were added since the newest checkpoint,
     * on a timer thread of its own (signing is quick, but never on a request thread).
     */
    public synchronized void start(Duration interval) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkpointIfGrown, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void checkpointIfGrown() {
        try {
            AuditLog.Head head = log.head();
            long signed = latest().map(Checkpoint::seq).orElse(0L);
            if (head.seq() > signed) {
                sign(head.seq(), head.hash(), INTERVAL);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("audit - cannot take the interval checkpoint; the next interval tries again: {}", e.getMessage());
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
