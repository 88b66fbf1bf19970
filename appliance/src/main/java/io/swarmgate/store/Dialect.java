package io.swarmgate.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The two databases the appliance runs on and the few statements whose SQL differs between them:
 * upserts (H2's {@code MERGE ... KEY} against PostgreSQL's {@code INSERT ... ON CONFLICT}, which,
 * unlike {@code MERGE}, stays correct when two appliances insert the same key at once) and bounded
 * deletes. Everything else the repositories write is SQL both accept.
 */
public enum Dialect {
    H2("h2"),
    POSTGRESQL("postgresql");

    private final String vendor;

    Dialect(String vendor) {
        this.vendor = vendor;
    }

    /** The folder under {@code db/vendor/} holding this database's versions of divergent migrations. */
    public String vendor() {
        return vendor;
    }

    /** The dialect of the database behind {@code dataSource}, from its driver's product name. */
    public static Dialect of(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return of(c);
        } catch (SQLException e) {
            throw new DatabaseException("cannot reach the database: " + e.getMessage(), e);
        }
    }

    /** The dialect of the database {@code c} is connected to. */
    public static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        return product.contains("postgres") ? POSTGRESQL : H2;
    }

    /**
     * One row from {@code ?} parameters (in {@code columns} order): inserted, or, when a row with the
     * same {@code keys} exists, its {@code added} columns increased by the new values. {@code casts}
     * gives each parameter's SQL type for H2, which cannot infer it inside {@code VALUES}.
     */
    public String addingUpsert(String table, List<String> columns, List<String> keys, List<String> added,
            java.util.function.Function<String, String> casts) {
        String cols = String.join(", ", columns);
        if (this == POSTGRESQL) {
            return "INSERT INTO " + table + " AS t (" + cols + ") VALUES ("
                    + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")"
                    + " ON CONFLICT (" + String.join(", ", keys) + ") DO UPDATE SET "
                    + added.stream().map(c -> c + " = t." + c + " + EXCLUDED." + c).collect(Collectors.joining(", "));
        }
        return "MERGE INTO " + table + " t USING (VALUES ("
                + columns.stream().map(c -> "CAST(? AS " + casts.apply(c) + ")").collect(Collectors.joining(", "))
                + ")) s(" + cols + ")"
                + " ON " + keys.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "))
                + " WHEN MATCHED THEN UPDATE SET "
                + added.stream().map(c -> c + " = t." + c + " + s." + c).collect(Collectors.joining(", "))
                + " WHEN NOT MATCHED THEN INSERT (" + cols + ") VALUES ("
                + columns.stream().map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
    }

    /**
     * Rows inserted from {@code rows} (a {@code VALUES (?, …)} list or a {@code SELECT} yielding
     * {@code columns}), each replacing the row with the same {@code keys} if there is one.
     */
    public String replacingUpsert(String table, List<String> columns, List<String> keys, String rows) {
        String cols = String.join(", ", columns);
        if (this == POSTGRESQL) {
            List<String> rest = columns.stream().filter(c -> !keys.contains(c)).toList();
            return "INSERT INTO " + table + " (" + cols + ") " + rows + " ON CONFLICT (" + String.join(", ", keys)
                    + ") DO " + (rest.isEmpty() ? "NOTHING" : "UPDATE SET "
                    + rest.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", ")));
        }
        return "MERGE INTO " + table + " (" + cols + ") KEY (" + String.join(", ", keys) + ") " + rows;
    }

    /** Deletes at most {@code limit} rows of {@code table} matching {@code where}. */
    public String deleteSome(String table, String where, int limit) {
        if (this == POSTGRESQL) {
            return "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + where
                    + " LIMIT " + limit + ")";
        }
        return "DELETE FROM " + table + " WHERE " + where + " FETCH FIRST " + limit + " ROWS ONLY";
    }
}
