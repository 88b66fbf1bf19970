package io.swarmgate.console;

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
 */
public final class ApiTokens {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    static final String PREFIX = "sgt_";

    /** A token as listed: never the secret. */
    public record TokenInfo(String id, String name, Role role, String createdBy, Instant createdAt,
                            Instant lastUsedAt, Instant revokedAt) {
    }

    /** A new token: {@code token} is shown to the creator once and never again. */
    public record Created(TokenInfo info, String token) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Created create(String name, Role role, String createdBy) throws SQLException, AuthException {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new AuthException("invalid_field", "name", "a token needs a name of 1-100 characters");
        }
        byte[] idBytes = new byte[9];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes).replace('-', 'x').replace('_', 'y');
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO api_token (id, name, role, secret_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, name.strip());
            s.setString(3, role.wire());
            s.setString(4, sha256(secretText));
            s.setString(5, createdBy);
            s.setTimestamp(6, Timestamp.from(now));
            s.executeUpdate();
        }
        LOG.info("{} - API token {} ({}) created by {}", id, name.strip(), role.wire(), createdBy);
        return new Created(new TokenInfo(id, name.strip(), role, createdBy, now, null, null),
                PREFIX + id + "_" + secretText);
    }

    public List<TokenInfo> list() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, name, role, created_by, created_at, last_used_at, revoked_at FROM api_token ORDER BY created_at");
             ResultSet rs = s.executeQuery()) {
            List<TokenInfo> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new TokenInfo(rs.getString(1), rs.getString(2), Role.fromWire(rs.getString(3)).orElse(Role.AUDITOR),
                        rs.getString(4), rs.getTimestamp(5).toInstant(), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7))));
            }
            return out;
        }
    }

    public boolean revoke(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setString(2, id);
            boolean revoked = s.executeUpdate() > 0;
            if (revoked) {
                LOG.info("{} - API token revoked", id);
            }
            return revoked;
        }
    }

    /** The role of a valid, unrevoked token, or empty. */
    public Optional<TokenInfo> authenticate(String token) throws SQLException {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int sep = token.indexOf('_', PREFIX.length());
        if (sep < 0) {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), sep);
        String secret = token.substring(sep + 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT secret_hash, name, role, created_by, created_at, revoked_at FROM api_token WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getTimestamp(6) != null) {
                    return Optional.empty();
                }
                if (!MessageDigest.isEqual(rs.getString(1).getBytes(StandardCharsets.US_ASCII),
                        sha256(secret).getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.empty();
                }
                TokenInfo info = new TokenInfo(id, rs.getString(2), Role.fromWire(rs.getString(3)).orElse(Role.AUDITOR),
                        rs.getString(4), rs.getTimestamp(5).toInstant(), clock.instant(), null);
                try (PreparedStatement u = c.prepareStatement("UPDATE api_token SET last_used_at = ? WHERE id = ?")) {
                    u.setTimestamp(1, Timestamp.from(clock.instant()));
                    u.setString(2, id);
                    u.executeUpdate();
                }
                return Optional.of(info);
            }
        }
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
