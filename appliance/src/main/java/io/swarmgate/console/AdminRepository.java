package io.swarmgate.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code admin_account} table. */
public final class AdminRepository {

    private static final String COLUMNS = "username, role, must_change_password, disabled, created_at, last_login_at";

    private final DataSource dataSource;

    public AdminRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<AdminAccount> list() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM admin_account ORDER BY username");
             ResultSet rs = s.executeQuery()) {
            List<AdminAccount> out = new ArrayList<>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    public Optional<AdminAccount> find(String username) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, username);
        }
    }

    /** The account as {@code c}'s transaction sees it. */
    public Optional<AdminAccount> find(Connection c, String username) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM admin_account WHERE username = ?")) {
            s.setString(1, username);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public Optional<String> passwordHash(String username) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT password_hash FROM admin_account WHERE username = ?")) {
            s.setString(1, username);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public int count() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM admin_account");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Inserts within {@code c}'s transaction (the audit entry of the change goes into the same one). */
    public void insert(Connection c, String username, Role role, String hash, boolean mustChange, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO admin_account (username, role, password_hash,"
                + " must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, username);
            s.setString(2, role.wire());
            s.setString(3, hash);
            s.setBoolean(4, mustChange);
            s.setTimestamp(5, Timestamp.from(now));
            s.setTimestamp(6, Timestamp.from(now));
            s.executeUpdate();
        }
    }

    /** Sets a new password and clears any lockout. */
    public boolean setPassword(Connection c, String username, String hash, boolean mustChange, Instant now)
            throws SQLException {
        return update(c, "UPDATE admin_account SET password_hash = ?, must_change_password = ?, updated_at = ?"
                + " WHERE username = ?", hash, mustChange, Timestamp.from(now), username);
    }

    public boolean setRole(Connection c, String username, Role role, Instant now) throws SQLException {
        return update(c, "UPDATE admin_account SET role = ?, updated_at = ? WHERE username = ?", role.wire(),
                Timestamp.from(now), username);
    }

    public boolean setDisabled(Connection c, String username, boolean disabled, Instant now) throws SQLException {
        return update(c, "UPDATE admin_account SET disabled = ?, updated_at = ? WHERE username = ?", disabled,
                Timestamp.from(now), username);
    }

    public void succeededLogin(Connection c, String username, Instant now) throws SQLException {
        update(c, "UPDATE admin_account SET last_login_at = ? WHERE username = ?", Timestamp.from(now), username);
    }

    public boolean delete(String username) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return update(c, "DELETE FROM admin_account WHERE username = ?", username);
        }
    }

    private static boolean update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate() > 0;
        }
    }

    private static AdminAccount read(ResultSet rs) throws SQLException {
        Timestamp last = rs.getTimestamp(6);
        return new AdminAccount(rs.getString(1), Role.fromWire(rs.getString(2)).orElse(Role.AUDITOR), rs.getBoolean(3),
                rs.getBoolean(4), rs.getTimestamp(5).toInstant(), last == null ? null : last.toInstant());
    }
}
