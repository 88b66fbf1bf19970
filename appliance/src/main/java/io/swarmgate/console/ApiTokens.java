package io.swarmgate.console;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens for automation ({@code Authorization: Bearer sgt_<id>_<secret>}). Only a SHA-256 of
 * the 256-bit secret is stored — a fast hash is enough for a random secret of that size — so a
 * database copy does not yield usable tokens. The full token is shown once, at creation.
 *
 * <p>A token expires ({@link #DEFAULT_LIFETIME} unless its creator asks for less, at most
 * {@link #MAX_LIFETIME}) and belongs to the administrator who created it: it works only while
 * that account exists, is enabled and holds at least the token's role.
 *
 * <p>Creation, revocation and a token's first use are written to the audit log in the same
 * transaction as the change.
 */
public final class ApiTokens {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    static final String PREFIX = "sgt_";
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    public static final Duration MAX_LIFETIME = Duration.ofDays(365);

    /** A token as listed: never the secret. {@code createdBy} is its owner. */
    public record TokenInfo(String id, String name, Role role, String createdBy, Instant createdAt,
                            Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
    }

    /** A new token: {@code token} is shown to the creator once and never again. */
    public record Created(TokenInfo info, String token) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final AuditLog audit;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(DataSource dataSource, Clock clock, AuditLog audit) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * Creates a token owned by {@code owner} that expires after {@code lifetime} (null: the
     * default). The lifetime must be between one day and {@link #MAX_LIFETIME}.
     */
    public Created create(String name, Role role, String owner, Duration lifetime, Actor actor)
            throws SQLException, AuthException {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new AuthException("invalid_field", "name", "a token needs a name of 1-100 characters");
        }
        Duration life = lifetime == null ? DEFAULT_LIFETIME : lifetime;
        if (life.compareTo(Duration.ofDays(1)) < 0 || life.compareTo(MAX_LIFETIME) > 0) {
            throw new AuthException("invalid_field", "expiresInDays", "a token lives between 1 and "
                    + MAX_LIFETIME.toDays() + " days");
        }
        byte[] idBytes = new byte[9];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes).replace('-', 'x').replace('_', 'y');
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expires = now.plus(life);
        audit.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO api_token (id, name, role, secret_hash, created_by, created_at, expires_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, name.strip());
                s.setString(3, role.wire());
                s.setString(4, sha256(secretText));
                s.setString(5, owner);
                s.setTimestamp(6, Timestamp.from(now));
                s.setTimestamp(7, Timestamp.from(expires));
                s.executeUpdate();
            }
            return audit.append(c, AuditEvent.success(actor, "token.created", id).with("name", name.strip())
                    .with("role", role.wire()).with("owner", owner).with("expiresAt", expires.toString()));
        });
        LOG.info("{} - API token {} ({}) created by {}, expires {}", id, name.strip(), role.wire(), owner, expires);
        return new Created(new TokenInfo(id, name.strip(), role, owner, now, expires, null, null),
                PREFIX + id + "_" + secretText);
    }

    public List<TokenInfo> list() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, name, role, created_by, created_at, expires_at, last_used_at, revoked_at FROM api_token"
                        + " ORDER BY created_at");
             ResultSet rs = s.executeQuery()) {
            List<TokenInfo> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new TokenInfo(rs.getString(1), rs.getString(2), Role.fromWire(rs.getString(3)).orElse(Role.AUDITOR),
                        rs.getString(4), rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(),
                        instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8))));
            }
            return out;
        }
    }

    public boolean revoke(String id, Actor actor) throws SQLException {
        boolean revoked = audit.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                s.setTimestamp(1, Timestamp.from(clock.instant()));
                s.setString(2, id);
                if (s.executeUpdate() == 0) {
                    return false;
                }
            }
            audit.append(c, AuditEvent.success(actor, "token.revoked", id));
            return true;
        });
        if (revoked) {
            LOG.info("{} - API token revoked by {}", id, actor.name());
        }
        return revoked;
    }

    /**
     * The token, if it is valid now: known, secret matching, not revoked, not expired, and its owner
     * an enabled administrator with at least the token's role. Empty otherwise, whatever the reason.
     */
    public Optional<TokenInfo> authenticate(String token) throws SQLException {
        return authenticate(token, null);
    }

    /** As {@link #authenticate(String)}; a token's first use is recorded with {@code source}. */
    public Optional<TokenInfo> authenticate(String token, InetAddress source) throws SQLException {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int sep = token.indexOf('_', PREFIX.length());
        if (sep < 0) {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), sep);
        String secret = token.substring(sep + 1);
        Instant now = clock.instant();
        TokenInfo info;
        boolean neverUsed;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT t.secret_hash, t.name, t.role, t.created_by, t.created_at, t.expires_at, t.revoked_at,"
                        + " a.role, a.disabled, t.last_used_at FROM api_token t"
                        + " LEFT JOIN admin_account a ON a.username = t.created_by WHERE t.id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || !MessageDigest.isEqual(rs.getString(1).getBytes(StandardCharsets.US_ASCII),
                        sha256(secret).getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.empty();
                }
                Role role = Role.fromWire(rs.getString(3)).orElse(Role.AUDITOR);
                Instant expires = rs.getTimestamp(6).toInstant();
                Optional<Role> ownerRole = Role.fromWire(rs.getString(8));
                if (rs.getTimestamp(7) != null || !now.isBefore(expires) || ownerRole.isEmpty()
                        || rs.getBoolean(9) || !ownerRole.get().atLeast(role)) {
                    return Optional.empty();
                }
                info = new TokenInfo(id, rs.getString(2), role, rs.getString(4), rs.getTimestamp(5).toInstant(),
                        expires, now, null);
                neverUsed = rs.getTimestamp(10) == null;
            }
        }
        // The lookup's connection is back in the pool before the first-use transaction takes one.
        if (neverUsed && firstUse(id, now, source)) {
            return Optional.of(info);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement u = c.prepareStatement("UPDATE api_token SET last_used_at = ? WHERE id = ?")) {
            u.setTimestamp(1, Timestamp.from(now));
            u.setString(2, id);
            u.executeUpdate();
        }
        return Optional.of(info);
    }

    /**
     * Marks the token used and records its first use, in one transaction; false when a concurrent
     * call got there first (that one records it).
     */
    private boolean firstUse(String id, Instant now, InetAddress source) throws SQLException {
        return audit.transaction(c -> {
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE api_token SET last_used_at = ? WHERE id = ? AND last_used_at IS NULL")) {
                u.setTimestamp(1, Timestamp.from(now));
                u.setString(2, id);
                if (u.executeUpdate() == 0) {
                    return false;
                }
            }
            audit.append(c, AuditEvent.success(Actor.token(id, source), "token.first-use", id));
            return true;
        });
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
