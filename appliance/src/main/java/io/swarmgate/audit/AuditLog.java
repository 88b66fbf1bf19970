package io.swarmgate.audit;

import io.swarmgate.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The hash-chained audit log: the {@code audit_entry} and {@code audit_head} tables.
 *
 * <p>An entry is written in the same transaction as the change it records ({@link #transaction}
 * and {@link #append}), so a committed change always has its entry and a rolled-back one never
 * does. Appends are ordered by the lock on the single {@code audit_head} row, held until the
 * transaction commits: that keeps the chain linear across connections and across appliances
 * sharing one database. Within this process a Java lock queues audited transactions before they
 * reach the database, so they never wait on the row lock (and its timeout), and lets the log
 * remember the committed head: an append then moves the head with one conditional update (which
 * takes the row lock) instead of reading it first, and reads it only when another process moved
 * it meanwhile.
 *
 * <p>Work inside {@link #transaction} holds that lock: do slow things (password hashing, network)
 * before it.
 */
public final class AuditLog {

    /** Longest canonical details text stored for one entry. */
    public static final int MAX_DETAILS = 1_000_000;
    static final String COLUMNS = "seq, at, actor, source, action, target, outcome, details, hash";

    /** The newest entry: its sequence number (0 before the first) and hash. */
    public record Head(long seq, String hash) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final ReentrantLock order = new ReentrantLock();
    /** The committed head as this process last saw it, or null to read it; guarded by {@link #order}. */
    private Head committed;
    /** The head after the current transaction's appends; guarded by {@link #order}. */
    private Head pending;

    public AuditLog(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /**
     * Runs {@code work} in one transaction that may {@link #append} entries; commits when it
     * returns, rolls back (entries included) when it throws.
     */
    public <T> T transaction(Transactions.Work<T> work) throws SQLException {
        order.lock();
        try {
            pending = null;
            T result;
            try {
                result = Transactions.run(dataSource, work);
            } catch (SQLException | RuntimeException | Error e) {
                committed = null; // rolled back, or unknown whether the commit happened: read it again
                throw e;
            }
            if (pending != null) {
                committed = pending;
            }
            return result;
        } finally {
            pending = null;
            order.unlock();
        }
    }

    /** Records an event that changes nothing else (a failed sign-in, a sign-out), in its own transaction. */
    public AuditEntry record(AuditEvent event) throws SQLException {
        return transaction(c -> append(c, event));
    }

    /**
     * Appends {@code event} within the transaction {@link #transaction} runs on {@code c}: locks
     * the head, chains the entry to it and moves the head. Committed with the caller's change, or
     * not at all.
     */
    public AuditEntry append(Connection c, AuditEvent event) throws SQLException {
        if (!order.isHeldByCurrentThread() || c.getAutoCommit()) {
            throw new IllegalStateException("audit entries are appended inside AuditLog.transaction");
        }
        String details = Canonical.details(event.details());
        if (details.length() > MAX_DETAILS) {
            throw new IllegalArgumentException("audit details of " + event.action() + " are " + details.length()
                    + " characters; at most " + MAX_DETAILS);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String actor = event.actor().name();
        String source = blankToNull(event.actor().source());
        String target = blankToNull(event.target());
        String outcome = event.outcome().wire();
        Head head = pending != null ? pending : committed;
        long seq = 0;
        String hash = null;
        if (head != null) {
            seq = head.seq() + 1;
            hash = Canonical.chain(head.hash(),
                    Canonical.entry(seq, now, actor, source, event.action(), target, outcome, details));
        }
        // Moving the head takes its row lock; it fails when the remembered head is not the stored one.
        if (head == null || !moveHead(c, head, seq, hash)) {
            try (PreparedStatement s = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
                 ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the audit_head row is missing; the audit log was damaged", "55000");
                }
                head = new Head(rs.getLong(1), rs.getString(2));
            }
            seq = head.seq() + 1;
            hash = Canonical.chain(head.hash(),
                    Canonical.entry(seq, now, actor, source, event.action(), target, outcome, details));
            if (!moveHead(c, head, seq, hash)) {
                throw new SQLException("the audit head moved while locked; the audit log was damaged", "55000");
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO audit_entry (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, seq);
            s.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            s.setString(3, actor);
            s.setString(4, source);
            s.setString(5, event.action());
            s.setString(6, target);
            s.setString(7, outcome);
            s.setString(8, details);
            s.setString(9, hash);
            s.executeUpdate();
        }
        pending = new Head(seq, hash);
        return new AuditEntry(seq, now, actor, source, event.action(), target, outcome, details, hash);
    }

    private static boolean moveHead(Connection c, Head from, long seq, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?")) {
            s.setLong(1, seq);
            s.setString(2, hash);
            s.setLong(3, from.seq());
            s.setString(4, from.hash());
            return s.executeUpdate() == 1;
        }
    }

    /** Empty text is stored as null, so the CSV export (where both are an empty field) stays unambiguous. */
    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** The committed head. */
    public Head head() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return head(c);
        }
    }

    static Head head(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the audit_head row is missing; the audit log was damaged", "55000");
            }
            return new Head(rs.getLong(1), rs.getString(2));
        }
    }

    /** What {@link #page} selects; null fields do not filter. */
    public record Filter(Instant from, Instant to, String actor, String action, Outcome outcome) {
        public static final Filter ALL = new Filter(null, null, null, null, null);
    }

    /**
     * Entries matching {@code filter}, newest first, at most {@code limit}, with a sequence
     * number below {@code beforeSeq} when given (the cursor of the next page). An action ending
     * in {@code .*} matches every action with that prefix ({@code auth.*}).
     */
    public List<AuditEntry> page(Filter filter, Long beforeSeq, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_entry WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (beforeSeq != null) {
            sql.append(" AND seq < ?");
            params.add(beforeSeq);
        }
        if (filter.from() != null) {
            sql.append(" AND at >= ?");
            params.add(OffsetDateTime.ofInstant(filter.from(), ZoneOffset.UTC));
        }
        if (filter.to() != null) {
            sql.append(" AND at < ?");
            params.add(OffsetDateTime.ofInstant(filter.to(), ZoneOffset.UTC));
        }
        if (filter.actor() != null) {
            sql.append(" AND actor = ?");
            params.add(filter.actor());
        }
        if (filter.action() != null) {
            if (filter.action().endsWith(".*")) {
                sql.append(" AND action LIKE ? ESCAPE '\\'");
                params.add(filter.action().substring(0, filter.action().length() - 1)
                        .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            } else {
                sql.append(" AND action = ?");
                params.add(filter.action());
            }
        }
        if (filter.outcome() != null) {
            sql.append(" AND outcome = ?");
            params.add(filter.outcome().wire());
        }
        sql.append(" ORDER BY seq DESC LIMIT ?");
        params.add(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i));
            }
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /** Entries with {@code fromSeq <= seq <= toSeq}, oldest first, at most {@code limit}. */
    public List<AuditEntry> range(long fromSeq, long toSeq, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return range(c, fromSeq, toSeq, limit);
        }
    }

    static List<AuditEntry> range(Connection c, long fromSeq, long toSeq, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + " FROM audit_entry WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?")) {
            s.setLong(1, fromSeq);
            s.setLong(2, toSeq);
            s.setInt(3, limit);
            List<AuditEntry> out = new ArrayList<>(Math.min(limit, 10_000));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /** One entry. */
    public Optional<AuditEntry> find(long seq) throws SQLException {
        List<AuditEntry> one = range(seq, seq, 1);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    /**
     * The sequence numbers of the first entry at or after {@code from} and the last one before
     * {@code to} (either null: the oldest kept, the head). Exports take every entry between the
     * two, so a clock that stepped back inside the range cannot leave a hole in the chain.
     */
    public long[] seqRange(Instant from, Instant to) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long first;
            try (PreparedStatement s = c.prepareStatement(from == null ? "SELECT MIN(seq) FROM audit_entry"
                    : "SELECT MIN(seq) FROM audit_entry WHERE at >= ?")) {
                if (from != null) {
                    s.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                }
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    first = rs.getObject(1) == null ? Long.MAX_VALUE : rs.getLong(1);
                }
            }
            long last;
            try (PreparedStatement s = c.prepareStatement(to == null ? "SELECT MAX(seq) FROM audit_entry"
                    : "SELECT MAX(seq) FROM audit_entry WHERE at < ?")) {
                if (to != null) {
                    s.setObject(1, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
                }
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    last = rs.getObject(1) == null ? 0 : rs.getLong(1);
                }
            }
            return new long[] {first, last};
        }
    }

    static AuditEntry read(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
    }

    DataSource dataSource() {
        return dataSource;
    }

    Clock clock() {
        return clock;
    }
}
